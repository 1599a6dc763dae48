// xen-livepatch's verbs plus boot/reset, all acting on the persistent host in the state directory.
import type { Command } from 'commander';
import { type Output, IMAGE_OPTION_HELP } from '../options.ts';
import { Session, stateDir } from '../session/journal.ts';
import { actionFunc, exitCode, listFunc, loadFunc, uploadFunc } from '../xen-livepatch/tool.ts';

const STATE_HELP = 'state directory of the emulated host (default $XLP_STATE or ./.xlp)';

/** Open the session, run `fn`, save, and set the exit code from the tool's return value. */
export function withSession(o: { state?: string }, fn: (s: Session) => number): void {
  const s = Session.open(stateDir(o.state));
  try {
    const ret = fn(s);
    s.save();
    process.exitCode = exitCode(ret);
  } finally {
    s.close();
  }
}

export function registerLivepatch(program: Command, io: Output): void {
  program
    .command('boot')
    .description('boot an emulated host (replacing any in the state directory)')
    .option('--image <image>', IMAGE_OPTION_HELP, process.env.XLP_IMAGE ?? 'builtin')
    .option('--state <dir>', STATE_HELP)
    .action((o: { image: string; state?: string }) => {
      const s = Session.boot(stateDir(o.state), o.image);
      io.out(`booted ${s.host.image.path ?? s.image} (build-id ${s.host.image.buildIdHex}) in ${s.dir}`);
      s.close();
    });

  program
    .command('reset')
    .description('discard the emulated host')
    .option('--state <dir>', STATE_HELP)
    .action((o: { state?: string }) => {
      io.out(Session.reset(stateDir(o.state)) ? `removed ${stateDir(o.state)}` : 'nothing to reset');
    });

  program
    .command('list')
    .description('list the payloads (xen-livepatch list)')
    .option('--state <dir>', STATE_HELP)
    .action((o: { state?: string }) => withSession(o, (s) => listFunc(s, io)));

  program
    .command('upload')
    .description('upload a payload (xen-livepatch upload)')
    .argument('<name>')
    .argument('<file>')
    .option('--state <dir>', STATE_HELP)
    .action((name: string, file: string, o: { state?: string }) => withSession(o, (s) => uploadFunc(s, io, name, file)));

  for (const [verb, what] of [['apply', 'apply'], ['revert', 'revert'], ['replace', 'replace all applied payloads with'], ['unload', 'unload']] as const) {
    const cmd = program
      .command(verb)
      .description(`${what} a payload (xen-livepatch ${verb})`)
      .argument('<name>')
      .option('--state <dir>', STATE_HELP);
    if (verb === 'apply') cmd.option('--nodeps', 'skip the build-id dependency check');
    cmd.action((name: string, o: { state?: string; nodeps?: boolean }) =>
      withSession(o, (s) => actionFunc(s, io, verb, name, !!o.nodeps)));
  }

  program
    .command('load')
    .description('upload and apply a payload named after its file (xen-livepatch load)')
    .argument('<file>')
    .option('--nodeps', 'skip the build-id dependency check')
    .option('--state <dir>', STATE_HELP)
    .action((file: string, o: { state?: string; nodeps?: boolean }) => withSession(o, (s) => loadFunc(s, io, file, !!o.nodeps)));
}

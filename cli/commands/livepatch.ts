// xen-livepatch's verbs plus boot/reset, all acting on the persistent host in the state directory.
import type { Command } from 'commander';
import { type Output, IMAGE_OPTION_HELP } from '../options.ts';
import { openHost } from '../session/open.ts';
import { Session, stateDir } from '../session/journal.ts';
import {
  ACTIONS, type ToolContext, actionFunc, exitCode, listFunc, loadFunc, uploadFunc,
} from '../xen-livepatch/tool.ts';
import { checkImageName } from '../images.ts';

export const STATE_HELP = 'state directory of the emulated host (default $XLP_STATE or ./.xlp)';

/** Run one xen-livepatch verb: the host is opened only when the verb needs it, saved if it was. */
export function withTool(o: { state?: string }, io: Output, fn: (t: ToolContext) => number): void {
  let s: Session | undefined;
  const t: ToolContext = { io, session: () => (s ??= openHost(stateDir(o.state), io)) };
  try {
    const ret = fn(t);
    s?.save();
    process.exitCode = exitCode(ret);
  } finally {
    s?.close();
  }
}

/** A verb that takes its arguments and flags the way xen-livepatch does (checked by the verb, not by commander). */
function toolVerb(program: Command, name: string, usage: string, description: string): Command {
  return program
    .command(name)
    .usage(`${usage} [--state DIR] [--quiet]`)
    .description(description)
    .argument('[args...]')
    .allowUnknownOption()
    .allowExcessArguments()
    .option('--state <dir>', STATE_HELP);
}

export function registerLivepatch(program: Command, io: Output): void {
  program
    .command('boot')
    .description('boot an emulated host (replacing any in the state directory)')
    .option('--image <image>', `${IMAGE_OPTION_HELP} (default $XLP_IMAGE or builtin)`, process.env.XLP_IMAGE ?? 'builtin')
    .option('--state <dir>', STATE_HELP)
    .action((o: { image: string; state?: string }) => {
      const image = checkImageName(o.image);
      const s = Session.boot(stateDir(o.state), image);
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

  toolVerb(program, 'list', '', 'list the payloads (xen-livepatch list)')
    .action((a: string[], o: { state?: string }) => withTool(o, io, (t) => listFunc(t, a)));

  toolVerb(program, 'upload', '<name> <file>', 'upload a payload (xen-livepatch upload)')
    .action((a: string[], o: { state?: string }) => withTool(o, io, (t) => uploadFunc(t, a)));

  for (const [verb, what] of [['apply', 'apply'], ['revert', 'revert'], ['replace', 'replace all applied payloads with'], ['unload', 'unload']] as const) {
    const flags = ACTIONS[verb].flags.length ? ' [--nodeps]' : '';
    const extra = flags ? ' (--nodeps: skip the build-id dependency check on the applied stack; default: checked)' : '';
    toolVerb(program, verb, `<name>${flags}`, `${what} a payload (xen-livepatch ${verb})${extra}`)
      .action((a: string[], o: { state?: string }) => withTool(o, io, (t) => actionFunc(t, verb, a)));
  }

  toolVerb(program, 'load', '<file> [--nodeps]', 'upload and apply a payload named after its file (xen-livepatch load; --nodeps as for apply)')
    .action((a: string[], o: { state?: string }) => withTool(o, io, (t) => loadFunc(t, a)));
}

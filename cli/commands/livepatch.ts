// xen-livepatch's verbs plus boot/reset, all acting on the persistent host in the state directory.
import type { Command } from 'commander';
import { type Output, IMAGE_OPTION_HELP } from '../options.ts';
import type { Session } from '../session/session.ts';
import { stateDir } from '../session/state-dir.ts';
import { defaultImage, viewHost } from '../session/view.ts';
import {
  ACTIONS, type ToolContext, actionFunc, exitCode, listFunc, loadFunc, uploadFunc,
} from '../xen-livepatch/tool.ts';
import { checkImageName } from '../images.ts';

export const STATE_HELP = 'state directory of the emulated host (default $XLP_STATE or ./.xlp)';

/** What runs the host is loaded only by verbs that need it (`list` does not: start-up is most of its cost). */
const sessionModule = (): Promise<typeof import('../session/open.ts')> => import('../session/open.ts');

/**
 * Run one xen-livepatch verb: the host is opened only when the verb needs it, saved if it was (if the verb
 * throws, Session.failed() decides what is kept). `viewOnly`: the verb only lists, from the saved view.
 */
export async function withTool(o: { state?: string }, io: Output, fn: (t: ToolContext) => number, viewOnly = false): Promise<void> {
  const dir = stateDir(o.state);
  const view = viewOnly ? viewHost(dir) : undefined;
  const { openHost } = view ? { openHost: undefined } : await sessionModule();
  let s: Session | undefined;
  const t: ToolContext = { io, session: () => (s ??= openHost!(dir, io)), ...(view ? { list: () => view.list() } : {}) };
  try {
    let ret: number;
    try {
      ret = fn(t);
    } catch (e) {
      throw s ? s.failed(e) : e;
    }
    s?.save();
    process.exitCode = exitCode(ret);
  } finally {
    s?.close();
  }
}

const session = async (): Promise<typeof Session> => (await import('../session/session.ts')).Session;

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
    .option('--image <image>', `${IMAGE_OPTION_HELP} (default $XLP_IMAGE or builtin)`, defaultImage())
    .option('--state <dir>', STATE_HELP)
    .action(async (o: { image: string; state?: string }) => {
      const image = checkImageName(o.image);
      const s = (await session()).boot(stateDir(o.state), image);
      io.out(`booted ${s.host.image.path ?? s.image} (build-id ${s.host.image.buildIdHex}) in ${s.dir}`);
      s.close();
    });

  program
    .command('reset')
    .description('discard the emulated host')
    .option('--state <dir>', STATE_HELP)
    .action(async (o: { state?: string }) => {
      io.out((await session()).reset(stateDir(o.state)) ? `removed ${stateDir(o.state)}` : 'nothing to reset');
    });

  toolVerb(program, 'list', '', 'list the payloads (xen-livepatch list)')
    .action((a: string[], o: { state?: string }) => withTool(o, io, (t) => listFunc(t, a), true));

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

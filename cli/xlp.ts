// The xlp command: each verb registers itself from cli/commands/.
import type { LivepatchRules } from '../loader/livepatch/versions.ts';
import { Command, CommanderError } from 'commander';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { expandVerb } from './xen-livepatch/tool.ts';
import { explain } from './xen-livepatch/explain.ts';
import { type Output, stdio } from './options.ts';
import { didYouMean } from './suggest.ts';

type Register = (program: Command, io: Output) => void;

/**
 * The modules of cli/commands/ with the verbs each registers, in help order. A command loads only its verb's
 * module (start-up is most of what a `list` costs); help and unknown verbs load them all.
 */
export const COMMAND_MODULES: readonly { verbs: readonly string[]; load: () => Promise<Register> }[] = [
  {
    verbs: ['boot', 'reset', 'list', 'upload', 'apply', 'revert', 'replace', 'unload', 'load'],
    load: async () => (await import('./commands/livepatch.ts')).registerLivepatch,
  },
  { verbs: ['dmesg'], load: async () => (await import('./commands/dmesg.ts')).registerDmesg },
  { verbs: ['info'], load: async () => (await import('./commands/info.ts')).registerInfo },
  { verbs: ['call'], load: async () => (await import('./commands/call.ts')).registerCall },
  { verbs: ['trace'], load: async () => (await import('./commands/trace.ts')).registerTrace },
  { verbs: ['explain'], load: async () => (await import('./commands/explain.ts')).registerExplain },
  { verbs: ['run'], load: async () => (await import('./commands/run.ts')).registerRun },
  { verbs: ['explore'], load: async () => (await import('./commands/explore.ts')).registerExplore },
  { verbs: ['lint'], load: async () => (await import('./commands/lint.ts')).registerLint },
  { verbs: ['setup'], load: async () => (await import('./commands/setup.ts')).registerSetup },
  { verbs: ['diff'], load: async () => (await import('./commands/diff.ts')).registerDiff },
];

/** The program with the module of `verb` registered (all modules when no module has that verb). */
export async function buildProgram(io: Output = stdio, verb?: string): Promise<Command> {
  const program = new Command('xlp')
    .description('Xen-style live-patch loader and x86-64 runtime emulator')
    .option('-q, --quiet', 'no `xlp:` explanation line after a refusal (anywhere on the command line)')
    .showHelpAfterError('(xlp --help for the verbs, xlp VERB --help for one)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const own = COMMAND_MODULES.find((m) => verb !== undefined && m.verbs.includes(verb));
  for (const m of own ? [own] : COMMAND_MODULES) (await m.load())(program, io);
  return program;
}

/**
 * The saved host's Xen version (formatted) and its rules (versions.ts), read from the state file's view (cheap:
 * nothing boots); undefined with no host, no readable state, or a state saved before versions were kept.
 */
async function hostRules(argv: readonly string[]): Promise<{ xen: string; rules: LivepatchRules } | undefined> {
  const at = argv.findIndex((a) => a === '--state' || a.startsWith('--state='));
  const option = at < 0 ? undefined : argv[at]!.startsWith('--state=') ? argv[at]!.slice(8) : argv[at + 1];
  try {
    const [{ stateDir }, { viewHost }, { livepatchRules }, { formatXenVersion }] = await Promise.all([
      import('./session/state-dir.ts'), import('./session/view.ts'), import('../loader/livepatch/versions.ts'),
      import('../loader/image/version.ts'),
    ]);
    const xen = viewHost(stateDir(option))?.xen;
    return xen && { xen: formatXenVersion(xen), rules: livepatchRules(xen) };
  } catch {
    return undefined; // the verb itself reports a bad state directory
  }
}

/** Run xlp with `argv` (without the program name); resolves to the exit code. */
export async function main(argv: string[], io: Output = stdio): Promise<number> {
  process.exitCode = undefined;
  // --quiet anywhere before `--` drops the `xlp:` lines (xen-livepatch's own lines stay).
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  const quiet = argv.slice(0, end).some((a) => a === '--quiet' || a === '-q');
  if (quiet) argv = argv.filter((a, i) => i >= end || (a !== '--quiet' && a !== '-q'));
  const out: Output = { ...io, quiet: quiet || io.quiet };
  try {
    if (!argv.length) {
      (await buildProgram(out)).outputHelp(); // as xen-livepatch without arguments: the help, exit 0
      return 0;
    }
    if (argv[0] === '--force') {
      // 4.19's tool: a leading --force sets LIVEPATCH_FLAG_FORCE, which Xen accepts and gives no effect yet;
      // 4.17's has no such flag and takes it for a command.
      const host = await hostRules(argv);
      if (!host?.rules.forceFlag) {
        out.err(`Unrecognised command '--force' -- try 'xen-livepatch help'`);
        explain(out, `--force is xen-livepatch 4.19's; the host ${host ? `runs Xen ${host.xen}` : 'has no saved version (boot it first)'}`);
        return 1;
      }
      argv = argv.slice(1);
      if (!argv.length) return main(argv, io);
    }
    const names = COMMAND_MODULES.flatMap((m) => m.verbs);
    // xen-livepatch 4.17 takes any prefix of its verbs (`l` = list, `re` = revert): so do we, after our own names;
    // from 4.19 it takes exact names only, so a host whose image reports 4.19 or later does too.
    let verb = argv[0]!;
    let program: Command | undefined;
    if (!names.includes(verb) && !verb.startsWith('-') && verb !== 'help') {
      const host = await hostRules(argv);
      const exactOnly = host?.rules.toolExactVerbs ? host.xen : undefined;
      const expanded = exactOnly ? undefined : expandVerb(verb);
      if (expanded) verb = expanded;
      else {
        program = await buildProgram(out); // every module: a verb missing from COMMAND_MODULES still works
        const all = program.commands.map((c) => c.name());
        if (!all.includes(verb)) {
          out.err(`Unrecognised command '${verb}' -- try 'xen-livepatch help'`);
          const prefixOf = exactOnly ? all.find((n) => n.startsWith(verb)) : undefined;
          explain(out, prefixOf
            ? `the host runs Xen ${exactOnly}, whose xen-livepatch takes exact verb names only (4.19+): \`${prefixOf}\``
            : `${didYouMean(verb, all) ?? 'not a verb'} (xlp --help lists the verbs)`);
          return 1;
        }
      }
    }
    program ??= await buildProgram(out, verb);
    await program.parseAsync([verb, ...argv.slice(1)], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    out.err(`xlp: ${(e as Error).message}`);
    return 1;
  }
}

/** The process's command: bin/xlp (compiled) and `tsx cli/xlp.ts` (development) both come here. */
export async function runCommand(opts: { beforeExit?: () => void } = {}): Promise<void> {
  // `xlp list | head`: a closed pipe ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(0) : undefined));
  process.exitCode = await main(process.argv.slice(2));
  // Done: leave now rather than after the idle-time GC and teardown a short command need not pay for. Writes to
  // pipes, files and terminals are synchronous on Linux; anything still queued is flushed first.
  await Promise.all([process.stdout, process.stderr].map((s) => (s.writableLength ? once(s, 'drain') : undefined)));
  opts.beforeExit?.();
  process.exit();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runCommand();

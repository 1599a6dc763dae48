// The xlp command: each verb registers itself from cli/commands/.
import { Command, CommanderError } from 'commander';
import { pathToFileURL } from 'node:url';
import { registerCall } from './commands/call.ts';
import { registerExplain } from './commands/explain.ts';
import { registerExplore } from './commands/explore.ts';
import { registerInfo } from './commands/info.ts';
import { registerTrace } from './commands/trace.ts';
import { registerLivepatch } from './commands/livepatch.ts';
import { registerRun } from './commands/run.ts';
import { registerLint } from './commands/lint.ts';
import { registerSetup } from './commands/setup.ts';
import { registerDmesg } from './commands/dmesg.ts';
import { expandVerb } from './xen-livepatch/tool.ts';
import { explain } from './xen-livepatch/explain.ts';
import { type Output, stdio } from './options.ts';
import { didYouMean } from './suggest.ts';

export function buildProgram(io: Output = stdio): Command {
  const program = new Command('xlp')
    .description('Xen-style live-patch loader and x86-64 runtime emulator')
    .option('-q, --quiet', 'no `xlp:` explanation line after a refusal (anywhere on the command line)')
    .showHelpAfterError('(xlp --help for the verbs, xlp VERB --help for one)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerLivepatch(program, io);
  registerDmesg(program, io);
  registerInfo(program, io);
  registerCall(program, io);
  registerTrace(program, io);
  registerExplain(program, io);
  registerRun(program, io);
  registerExplore(program, io);
  registerLint(program, io);
  registerSetup(program, io);
  return program;
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
    const program = buildProgram(out);
    if (!argv.length) {
      program.outputHelp(); // as xen-livepatch without arguments: the help, exit 0
      return 0;
    }
    const names = program.commands.map((c) => c.name());
    // xen-livepatch 4.17 takes any prefix of its verbs (`l` = list, `re` = revert): so do we, after our own names.
    let verb = argv[0]!;
    if (!names.includes(verb) && !verb.startsWith('-') && verb !== 'help') {
      const expanded = expandVerb(verb);
      if (!expanded) {
        out.err(`Unrecognised command '${verb}' -- try 'xen-livepatch help'`);
        explain(out, `${didYouMean(verb, names) ?? 'not a verb'} (xlp --help lists the verbs)`);
        return 1;
      }
      verb = expanded;
    }
    await program.parseAsync([verb, ...argv.slice(1)], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    out.err(`xlp: ${(e as Error).message}`);
    return 1;
  }
}

/** The process's command: bin/xlp (compiled) and `tsx cli/xlp.ts` (development) both come here. */
export async function runCommand(): Promise<void> {
  // `xlp list | head`: a closed pipe ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(0) : undefined));
  process.exitCode = await main(process.argv.slice(2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runCommand();

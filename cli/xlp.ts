#!/usr/bin/env -S node --import tsx
// The xlp command.
import { Command, CommanderError } from 'commander';
import { bootImage } from '../loader/boot.ts';
import { parseGuestInt } from './args.ts';
import { callSymbol } from './commands/call.ts';
import { infoLines } from './commands/info.ts';

export function buildProgram(out: (line: string) => void = (l) => console.log(l)): Command {
  const program = new Command('xlp')
    .description('Xen-style live-patch loader and x86-64 runtime emulator')
    .showHelpAfterError()
    .exitOverride();
  const imageOption = ['--image <image>', 'builtin (default), debian, or a path to a Xen 4.17 xen-syms', 'builtin'] as const;

  program
    .command('info')
    .description('print the image: build-id, load range, symbols, exception-table and bug-frame counts')
    .option(...imageOption)
    .action((o: { image: string }) => {
      const host = bootImage(o.image);
      try {
        infoLines(host.image).forEach((l) => out(l));
      } finally {
        host.machine.close();
      }
    });

  program
    .command('call')
    .description('call a guest function with integer arguments and print its return value')
    .argument('<symbol>', "function name (Xen's names: `name` or `path#name`)")
    .argument('[args...]', 'integer arguments (decimal or 0x-hex)', (v: string, prev: bigint[] = []) => [...prev, parseGuestInt(v)])
    .option(...imageOption)
    .option('--string', 'print the return value as a C string')
    .action((symbol: string, parsed: bigint[] = [], o: { image: string; string?: boolean }) => {
      const host = bootImage(o.image);
      try {
        const r = callSymbol(host, symbol, parsed, !!o.string);
        r.lines.forEach((l) => out(l));
        process.exitCode = r.exitCode;
      } finally {
        host.machine.close();
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    console.error(`xlp: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/xlp')) {
  process.exitCode = await main(process.argv.slice(2));
}

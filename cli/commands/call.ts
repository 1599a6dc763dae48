import type { Command } from 'commander';
import { GuestFault, GuestTimeout } from '../../emulator/cpu/errors.ts';
import { type BootedImage, bootImage } from '../../loader/boot.ts';
import { Session, stateDir } from '../session/journal.ts';
import { hex, parseGuestInt } from '../args.ts';
import { IMAGE_OPTION_HELP, type Output } from '../options.ts';

export interface CallResult {
  lines: string[];
  exitCode: number;
}

/**
 * Call SYMBOL(args) and describe the result; a guest fault or timeout becomes a report and exit code 1.
 * `invoke` makes the call (a fresh image calls the machine; the persistent host journals it first).
 */
export function callSymbol(
  host: BootedImage, symbol: string, asString: boolean, invoke: (address: bigint) => bigint,
): CallResult {
  const { machine, image } = host;
  const address = image.symbols.address(symbol);
  if (address === undefined) return { lines: [`xlp: no symbol ${symbol} in ${image.name}`], exitCode: 1 };
  machine.console.drain();
  try {
    const rv = invoke(address);
    const printed = machine.console.drain();
    const value = asString ? (rv === 0n ? '(null)' : JSON.stringify(machine.readCString(rv))) : `${hex(rv)} (${BigInt.asIntN(64, rv)})`;
    return { lines: [...printed, value], exitCode: 0 };
  } catch (e) {
    if (e instanceof GuestFault || e instanceof GuestTimeout) {
      const report = `guest ${e.name === 'GuestFault' ? 'fault' : 'timeout'}: ${e.message}`;
      return { lines: [...machine.console.drain(), ...report.split('\n')], exitCode: 1 };
    }
    throw e;
  }
}

export function registerCall(program: Command, io: Output): void {
  program
    .command('call')
    .description('call a guest function with integer arguments and print its return value')
    .argument('<symbol>', "function name (Xen's names: `name` or `path#name`)")
    .argument('[args...]', 'integer arguments (decimal or 0x-hex)', (v: string, prev: bigint[] = []) => [...prev, parseGuestInt(v)])
    .option('--string', 'print the return value as a C string')
    .option('--image <image>', `a fresh image to call into instead of the persistent host: ${IMAGE_OPTION_HELP}`)
    .option('--state <dir>', 'state directory of the persistent host (default $XLP_STATE or ./.xlp)')
    .action((symbol: string, parsed: bigint[] = [], o: { image?: string; string?: boolean; state?: string }) => {
      if (o.image) {
        const host = bootImage(o.image);
        try {
          const r = callSymbol(host, symbol, !!o.string, (a) => host.machine.call(a, parsed));
          r.lines.forEach((l) => io.out(l));
          process.exitCode = r.exitCode;
        } finally {
          host.machine.close();
        }
        return;
      }
      const s = Session.open(stateDir(o.state));
      try {
        // Journaled, since a call may change guest memory; a fault is recorded and replayed like any outcome.
        const r = callSymbol({ machine: s.host.machine, image: s.host.image }, symbol, !!o.string, () => s.call(symbol, parsed));
        s.save();
        r.lines.forEach((l) => io.out(l));
        process.exitCode = r.exitCode;
      } finally {
        s.close();
      }
    });
}

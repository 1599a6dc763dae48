import { GuestFault, GuestTimeout } from '../../emulator/errors.ts';
import type { BootedImage } from '../../loader/boot.ts';
import { hex } from '../args.ts';

export interface CallResult {
  lines: string[];
  exitCode: number;
}

/** Call SYMBOL(args) and describe the result; a guest fault or timeout becomes a report and exit code 1. */
export function callSymbol(host: BootedImage, symbol: string, args: bigint[], asString: boolean): CallResult {
  const { machine, image } = host;
  const address = image.symbols.address(symbol);
  if (address === undefined) return { lines: [`xlp: no symbol ${symbol} in ${image.name}`], exitCode: 1 };
  machine.console.drain();
  try {
    const rv = machine.call(address, args);
    const printed = machine.console.drain();
    const value = asString ? (rv === 0n ? '(null)' : JSON.stringify(machine.readCString(rv))) : `${hex(rv)} (${BigInt.asIntN(64, rv)})`;
    return { lines: [...printed, value], exitCode: 0 };
  } catch (e) {
    if (e instanceof GuestFault || e instanceof GuestTimeout) {
      return { lines: [...machine.console.drain(), `guest ${e.name === 'GuestFault' ? 'fault' : 'timeout'}: ${e.message}`], exitCode: 1 };
    }
    throw e;
  }
}

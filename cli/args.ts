// Argument parsing helpers shared by the verbs.
import { InvalidArgumentError } from 'commander';
import { parseGuestValue } from './files/integers.ts';

/** A guest integer: decimal, 0x-hex, or negative (two's complement). */
export function parseGuestInt(text: string): bigint {
  const v = parseGuestValue(text);
  if (typeof v === 'string') throw new InvalidArgumentError(v);
  return v;
}

export const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Bytes as objdump shows them: `48 89 f9`. */
export const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString('hex').replace(/(..)(?!$)/g, '$1 ');

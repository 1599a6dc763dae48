// Argument parsing helpers shared by the verbs.
import { InvalidArgumentError } from 'commander';

/** A guest integer: decimal, 0x-hex, or negative (two's complement). */
export function parseGuestInt(text: string): bigint {
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) throw new InvalidArgumentError(`not an integer: ${text}`);
  const neg = text.startsWith('-');
  const v = BigInt(neg ? text.slice(1) : text);
  if (v >= 1n << 64n) throw new InvalidArgumentError(`does not fit in 64 bits: ${text}`);
  return BigInt.asUintN(64, neg ? -v : v);
}

export const hex = (v: bigint): string => `0x${v.toString(16)}`;

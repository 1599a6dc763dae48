// The one parser for guest integers, in files (scenario/check YAML) and on the command line: decimal or
// 0x-hex, negative allowed (two's complement), exact to 64 bits (bigint; YAML integers are read as bigint too).

/** A signed or unsigned 64-bit value: -2^63 .. 2^64-1. */
export const INT64_MIN = -(1n << 63n);
export const UINT64_MAX = (1n << 64n) - 1n;

const PATTERN = /^-?(0x[0-9a-f]+|\d+)$/i;

/** The integer `v` stands for (a bigint, a safe JS number, or a decimal/hex string), or why it is none. */
export function toBigInt(v: unknown): bigint | string {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : `${v} is not an exact integer (write it as a string: "0x…")`;
  if (typeof v === 'string' && PATTERN.test(v.trim())) {
    const t = v.trim();
    return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
  }
  return `expected an integer (decimal or 0x-hex), got ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`;
}

/** `v` within [min, max], or why not. */
export function inRange(v: bigint, min: bigint, max: bigint, what: string): bigint | string {
  if (v < min || v > max) return `${v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`} does not fit in ${what}`;
  return v;
}

/** A 64-bit guest value as the CPU holds it (negative numbers in two's complement). */
export function parseGuestValue(v: unknown): bigint | string {
  const n = toBigInt(v);
  if (typeof n === 'string') return n;
  const r = inRange(n, INT64_MIN, UINT64_MAX, '64 bits');
  return typeof r === 'string' ? r : BigInt.asUintN(64, r);
}

// Inputs for a differential run: boundary integers per argument width, seeded random values, guest buffers
// of the signature's size (zeroed, all-ones, random) and the pointers Xen must refuse (NULL, an unmapped
// page); or inputs listed in a file. Values are exact 64-bit register contents.
import { parseGuestValue } from '../files/integers.ts';
import type { ArgType, IntType, Signature } from './signature.ts';

export type ArgValue =
  | { kind: 'int'; value: bigint }
  | { kind: 'buffer'; bytes: Buffer }
  /** A raw pointer in a buffer argument's register (NULL, or a guest address chosen by the input). */
  | { kind: 'pointer'; value: bigint };

export interface Input {
  function: string;
  args: ArgValue[];
}

/** Stands for "the unmapped page right after the argument's buffer" (the runner substitutes it). */
export const UNMAPPED = -1n;

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Deterministic 32-bit generator (mulberry32): the same seed gives the same inputs on every machine. */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
  below(n: number): number {
    return this.u32() % n;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      for (let k = 0; k < 4 && i + k < n; k++) b[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return b;
  }
}

/** The register value of `v` as an integer of this width: sign- or zero-extended to 64 bits. */
export function extend(v: bigint, t: IntType): bigint {
  const n = t.signed ? BigInt.asIntN(t.bits, v) : BigInt.asUintN(t.bits, v);
  return BigInt.asUintN(64, n);
}

/** 0..16, ±1 and ±2 around zero and the type's limits, and the powers of two where byte widths change. */
export function boundaries(t: IntType): bigint[] {
  const w = BigInt(t.bits);
  const raw: bigint[] = [];
  for (let i = 0n; i <= 16n; i++) raw.push(i);
  const max = t.signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  const min = t.signed ? -(1n << (w - 1n)) : 0n;
  raw.push(max, max - 1n, min, min + 1n);
  if (t.signed) raw.push(-1n, -2n);
  for (const p of [8n, 16n, 32n]) if (p < w) raw.push((1n << (p - 1n)) - 1n, 1n << (p - 1n), (1n << p) - 1n, 1n << p);
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  for (const v of raw) {
    if (v < min || v > max) continue;
    const r = extend(v, t);
    if (!seen.has(r)) seen.add(r), out.push(r);
  }
  return out;
}

function bufferVariants(size: number, rnd: Random): ArgValue[] {
  return [
    { kind: 'buffer', bytes: Buffer.alloc(size) },
    { kind: 'buffer', bytes: Buffer.alloc(size, 0xff) },
    { kind: 'buffer', bytes: rnd.bytes(size) },
    { kind: 'pointer', value: 0n },
    { kind: 'pointer', value: UNMAPPED },
  ];
}

/** Every combination of boundary values while that stays small; else each argument's boundaries in turn. */
const CROSS_LIMIT = 4096;

/**
 * The boundary combinations, then `count` random inputs; a function without arguments has one input (it
 * starts from the same state every time, so more would only repeat it).
 */
export function generateInputs(fn: string, sig: Signature, count: number, seed: number): Input[] {
  if (!sig.args.length) return [{ function: fn, args: [] }];
  const rnd = new Random(seed);
  const lists: ArgValue[][] = sig.args.map((t) =>
    t.kind === 'int' ? boundaries(t).map((value): ArgValue => ({ kind: 'int', value })) : bufferVariants(t.size, rnd));
  const out: Input[] = [];
  const total = lists.reduce((n, l) => n * l.length, 1);
  if (total <= CROSS_LIMIT) {
    const walk = (i: number, acc: ArgValue[]): void => {
      if (i === lists.length) return void out.push({ function: fn, args: acc });
      for (const v of lists[i]!) walk(i + 1, [...acc, v]);
    };
    walk(0, []);
  } else {
    lists.forEach((l, i) => {
      for (const v of l) out.push({ function: fn, args: lists.map((o, j) => (j === i ? v : o[0]!)) });
    });
  }
  for (let k = 0; k < count; k++) {
    out.push({
      function: fn,
      args: sig.args.map((t): ArgValue => {
        if (t.kind === 'int') return { kind: 'int', value: extend(rnd.u64(), t) };
        const pick = rnd.below(8);
        return pick === 0 ? { kind: 'pointer', value: 0n } : { kind: 'buffer', bytes: pick < 4 ? Buffer.alloc(t.size) : rnd.bytes(t.size) };
      }),
    });
  }
  return out;
}

const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** An argument as text: `0x…` for integers and pointers, `zero:N` or `buf:HEX` for buffer contents. */
export function formatArg(v: ArgValue): string {
  if (v.kind === 'buffer') return v.bytes.every((b) => b === 0) ? `zero:${v.bytes.length}` : `buf:${v.bytes.toString('hex')}`;
  if (v.kind === 'pointer' && v.value === UNMAPPED) return 'unmapped';
  return hex64(v.value);
}

function parseInt64(text: string, where: string): bigint {
  const v = parseGuestValue(text);
  if (typeof v === 'string') throw new InputError(`${where}: ${v}`);
  return v;
}

/** The inverse of formatArg (plus `str:TEXT`), checked against the argument's type. */
export function parseArg(raw: string | number, t: ArgType, where: string): ArgValue {
  const text = String(raw);
  if (t.kind === 'int') return { kind: 'int', value: extend(parseInt64(text, where), t) };
  const fill = (bytes: Buffer): ArgValue => {
    if (bytes.length > t.size) throw new InputError(`${where}: ${bytes.length} bytes do not fit the ${t.size}-byte buffer`);
    const b = Buffer.alloc(t.size);
    bytes.copy(b);
    return { kind: 'buffer', bytes: b };
  };
  if (text === 'unmapped') return { kind: 'pointer', value: UNMAPPED };
  let m = /^zero:(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (m) return fill(Buffer.alloc(Number(m[1])));
  m = /^buf:((?:[0-9a-f]{2})*)$/i.exec(text);
  if (m) return fill(Buffer.from(m[1]!, 'hex'));
  m = /^str:(.*)$/s.exec(text);
  if (m) return fill(Buffer.from(`${m[1]}\0`, 'latin1'));
  return { kind: 'pointer', value: parseInt64(text, where) };
}

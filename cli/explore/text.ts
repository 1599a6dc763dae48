// Invariant 2, computed without the loader's trampoline code: the bytes a stack of applied payloads
// implies at every patched function (spec §4.1). Each applied payload, oldest first, writes `E9 rel32`
// (or P6 NOPs when new_addr is 0) at old_addr, +4 after an ENDBR64 in the original bytes.
import type { FuncInfo, PayloadInfo } from './payload-info.ts';

/** Original (unpatched) bytes, or undefined where unknown (e.g. inside a payload). */
export type ByteReader = (address: bigint, length: number) => Uint8Array | undefined;

export interface PatchSite {
  /** old_addr + patch_offset. */
  at: bigint;
  length: number;
}

// ENDBR64 and its poison, written out here on purpose: explore's model checks the loader, so it keeps its own
// detector (the loader's is loader/arch/x86/endbr.ts).
const ENDBR = [[0xf3, 0x0f, 0x1e, 0xfa], [0x66, 0x0f, 0x1f, 0x01]];

/** The model's ENDBR64-or-poison test on the first 4 bytes of a function. */
export function startsWithEndbr(head: Uint8Array | undefined): boolean {
  return head !== undefined && ENDBR.some((e) => e.every((b, i) => head[i] === b));
}

// Xen's P6 "ideal" NOPs, at most 9 bytes each (arch/x86/alternative.c): kept here rather than imported so
// that the check does not share the code it checks.
const P6 = [
  [0x90], [0x66, 0x90], [0x0f, 0x1f, 0x00], [0x0f, 0x1f, 0x40, 0x00], [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00], [0x0f, 0x1f, 0x80, 0, 0, 0, 0], [0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0],
];

function nops(n: number): number[] {
  const out: number[] = [];
  while (out.length < n) out.push(...P6[Math.min(n - out.length, 9) - 1]!);
  return out;
}

/** Where a function's patch goes and how long it is; undefined when it patches nothing knowable. */
export function patchSite(f: FuncInfo, original: ByteReader): PatchSite | undefined {
  if (f.oldAddr === 0n) return undefined;
  const head = original(f.oldAddr, 4);
  if (!head) return undefined;
  const offset = startsWithEndbr(head) ? 4 : 0;
  const length = f.newAddr !== 0n ? 5 : f.newSize - offset;
  if (length <= 0 || length > 31) return undefined; // nothing written (or refused at apply)
  return { at: f.oldAddr + BigInt(offset), length };
}

function patchBytes(f: FuncInfo, site: PatchSite): number[] {
  if (f.newAddr === 0n) return nops(site.length);
  const rel = Buffer.alloc(4);
  rel.writeInt32LE(Number(BigInt.asIntN(32, f.newAddr - (site.at + 5n))));
  return [0xe9, ...rel];
}

/** Expected byte at each patched address; null where an action hook (guest code) decides instead. */
export type ExpectedText = Map<bigint, number | null>;

/**
 * Every byte any loaded payload may patch starts as in the original image; then each applied payload,
 * oldest first, writes its patches (a payload with an apply action hook patches as it likes: unknown).
 */
export function expectedText(loaded: readonly PayloadInfo[], applied: readonly PayloadInfo[], original: ByteReader): ExpectedText {
  const text: ExpectedText = new Map();
  for (const p of loaded) {
    for (const f of p.funcs) {
      const site = patchSite(f, original);
      const bytes = site && original(site.at, site.length);
      if (!site || !bytes) continue;
      for (let i = 0; i < site.length; i++) text.set(site.at + BigInt(i), bytes[i]!);
    }
  }
  for (const p of applied) {
    for (const f of p.funcs) {
      const site = patchSite(f, original);
      if (!site) continue;
      const bytes = p.hooks.apply ? undefined : patchBytes(f, site);
      for (let i = 0; i < site.length; i++) text.set(site.at + BigInt(i), bytes ? bytes[i]! : null);
    }
  }
  return text;
}

/** `length` bytes at `address` as the model sees them: expected where patched, original elsewhere. */
export function modelBytes(text: ExpectedText, original: ByteReader, address: bigint, length: number): Uint8Array | undefined {
  const orig = original(address, length);
  if (!orig) return undefined;
  const out = Uint8Array.from(orig);
  for (let i = 0; i < length; i++) {
    const b = text.get(address + BigInt(i));
    if (b === null) return undefined;
    if (b !== undefined) out[i] = b;
  }
  return out;
}

export interface TextMismatch {
  /** The patched function (its name in the funcs record, or its address). */
  function: string;
  oldAddr: bigint;
  /** First byte that differs. */
  address: bigint;
  /** The patched span as hex, `??` where the model does not know. */
  expected: string;
  actual: string;
}

/** Compare each patched function's bytes with memory; one mismatch per function, at its first wrong byte. */
export function compareText(
  loaded: readonly PayloadInfo[],
  text: ExpectedText,
  original: ByteReader,
  read: (address: bigint, length: number) => Uint8Array | undefined,
): TextMismatch[] {
  const sites = new Map<bigint, { name: string; addrs: Set<bigint> }>();
  for (const p of loaded) {
    for (const f of p.funcs) {
      const site = patchSite(f, original);
      if (!site) continue;
      const g = sites.get(f.oldAddr) ?? { name: f.name ?? `0x${f.oldAddr.toString(16)}`, addrs: new Set<bigint>() };
      for (let i = 0; i < site.length; i++) g.addrs.add(site.at + BigInt(i));
      sites.set(f.oldAddr, g);
    }
  }
  const out: TextMismatch[] = [];
  for (const [oldAddr, g] of sites) {
    const addrs = [...g.addrs].sort((a, b) => (a < b ? -1 : 1));
    const lo = addrs[0]!;
    const span = Number(addrs.at(-1)! - lo) + 1;
    const actual = read(lo, span);
    if (!actual) continue;
    const bad = addrs.find((a) => {
      const want = text.get(a);
      return want !== null && want !== undefined && want !== actual[Number(a - lo)];
    });
    if (bad === undefined) continue;
    const hex = (b: number): string => b.toString(16).padStart(2, '0');
    const expected = [...actual].map((b, i) => {
      const want = text.get(lo + BigInt(i));
      return want === null ? '??' : hex(want ?? b);
    });
    out.push({ function: g.name, oldAddr, address: bad, expected: expected.join(' '), actual: [...actual].map(hex).join(' ') });
  }
  return out;
}

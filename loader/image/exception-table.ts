// Xen's exception tables (arch/x86/extable.c): 8-byte entries { s32 addr; s32 cont; }, each field relative to
// its own address. Sorted in place at load (boot for the image, upload for payloads) with Xen's heapsort, so
// the bytes in memory end up as Xen leaves them; looked up by binary search on the absolute fault address.

export interface ExceptionEntry {
  addr: bigint;
  cont: bigint;
}

export const EXTABLE_ENTRY_SIZE = 8;

export function decodeExceptionTable(bytes: Uint8Array, tableAddress: bigint): ExceptionEntry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ExceptionEntry[] = [];
  for (let off = 0; off + EXTABLE_ENTRY_SIZE <= bytes.length; off += EXTABLE_ENTRY_SIZE) {
    const slot = tableAddress + BigInt(off);
    out.push({ addr: slot + BigInt(v.getInt32(off, true)), cont: slot + 4n + BigInt(v.getInt32(off + 4, true)) });
  }
  return out;
}

export function encodeExceptionTable(entries: readonly ExceptionEntry[], tableAddress: bigint): Buffer {
  const b = Buffer.alloc(entries.length * EXTABLE_ENTRY_SIZE);
  entries.forEach((e, i) => {
    const slot = tableAddress + BigInt(i * EXTABLE_ENTRY_SIZE);
    b.writeInt32LE(Number(e.addr - slot), i * 8);
    b.writeInt32LE(Number(e.cont - slot - 4n), i * 8 + 4);
  });
  return b;
}

/** Xen's sort() (xen/include/xen/sort.h): an in-place heapsort, not stable; ties keep heapsort's order. */
export function heapsort<T>(a: T[], cmp: (x: T, y: T) => number): T[] {
  const n = a.length;
  const swap = (i: number, j: number): void => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  const siftDown = (root: number, end: number): void => {
    for (let r = root, c: number; r * 2 + 1 < end; r = c) {
      c = r * 2 + 1;
      if (c < end - 1 && cmp(a[c]!, a[c + 1]!) < 0) c++;
      if (cmp(a[r]!, a[c]!) >= 0) break;
      swap(r, c);
    }
  };
  for (let i = Math.floor(n / 2); i > 0; ) siftDown(--i, n);
  for (let i = n; i > 0; ) {
    swap(0, --i);
    siftDown(0, i);
  }
  return a;
}

export class ExceptionTable {
  /** Sorted by fault address. */
  readonly entries: ExceptionEntry[];

  constructor(entries: ExceptionEntry[]) {
    this.entries = heapsort([...entries], (x, y) => (x.addr < y.addr ? -1 : x.addr > y.addr ? 1 : 0));
  }

  get length(): number {
    return this.entries.length;
  }

  /** Continuation for a fault at exactly `address` (first match among ties, like Xen's bsearch). */
  search(address: bigint): bigint | undefined {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = this.entries[mid]!.addr;
      if (a === address) return this.entries[mid]!.cont;
      if (a < address) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

// x86-64 4-level page tables built in guest RAM, so the emulated CPU enforces P/W/NX itself.
import { MachineError } from './errors.ts';
import { PAGE_SIZE, type PhysicalMemory } from './physical.ts';

export type Perms = 'r' | 'rw' | 'rx' | 'rwx';

const P = 1n;
const RW = 2n;
const ACCESSED = 0x20n;
const DIRTY = 0x40n;
const NX = 1n << 63n;
const ADDR_MASK = 0x000ffffffffff000n;

export interface Translation {
  physical: number;
  writable: boolean;
  executable: boolean;
}

export function isCanonical(va: bigint): boolean {
  const top = va >> 47n;
  return top === 0n || top === 0x1ffffn;
}

function leafBits(perms: Perms): bigint {
  let bits = P | ACCESSED | DIRTY;
  if (perms.includes('w')) bits |= RW;
  if (!perms.includes('x')) bits |= NX;
  return bits;
}

/** An entry's frame address (bits 12-51) from its two 32-bit halves. */
const frameOf = (lo: number, hi: number): number => ((lo & 0xfffff000) >>> 0) + (hi & 0xfffff) * 0x1_0000_0000;

export class PageTables {
  readonly root: number; // physical address of the PML4 (CR3)

  constructor(private readonly mem: PhysicalMemory) {
    this.root = mem.allocFrame();
  }

  private entry(table: number, index: number): bigint {
    return this.mem.bytes.readBigUInt64LE(table + index * 8);
  }

  private setEntry(table: number, index: number, v: bigint): void {
    this.mem.bytes.writeBigUInt64LE(v, table + index * 8);
  }

  private indices(va: bigint): number[] {
    const lo = Number(va & 0xffffffffn);
    const hi = Number((va >> 32n) & 0xffffn);
    return [(hi >>> 7) & 511, ((hi & 0x7f) << 2) | (lo >>> 30), (lo >>> 21) & 511, (lo >>> 12) & 511];
  }

  /** Physical address of the leaf table for va, creating intermediate tables when asked. */
  private leafTable(va: bigint, create: boolean): number | undefined {
    let table = this.root;
    const idx = this.indices(va);
    for (let level = 0; level < 3; level++) {
      // Read as two 32-bit halves: every host access to guest memory walks here, and a BigInt per level adds up.
      const bytes = this.mem.bytes; // afresh: an allocation below may have grown the view
      const at = table + idx[level]! * 8;
      const lo = bytes.readUInt32LE(at);
      if (!(lo & 1)) {
        if (!create) return undefined;
        const t = this.mem.allocFrame();
        // Intermediate levels grant everything; the leaf decides W and NX.
        this.setEntry(table, idx[level]!, BigInt(t) | P | RW | ACCESSED);
        table = t;
      } else {
        table = frameOf(lo, bytes.readUInt32LE(at + 4));
      }
    }
    return table;
  }

  private checkRange(va: bigint, size: number): void {
    if (va & 0xfffn) throw new MachineError(`address 0x${va.toString(16)} is not page aligned`);
    if (size <= 0 || size % PAGE_SIZE) throw new MachineError(`size 0x${size.toString(16)} is not a positive page multiple`);
    if (!isCanonical(va) || !isCanonical(va + BigInt(size) - 1n)) {
      throw new MachineError(`range 0x${va.toString(16)}+0x${size.toString(16)} is not canonical`);
    }
  }

  /** Map fresh zeroed frames at [va, va+size). Fails without side effects if any page is already mapped. */
  map(va: bigint, size: number, perms: Perms): void {
    this.checkRange(va, size);
    // One walk per leaf table, not per page (an image maps ~1000 pages at every boot).
    this.forEachLeafRun(va, size / PAGE_SIZE, (page, table, first, count) => {
      for (let k = 0; table !== undefined && k < count; k++) {
        if (this.entry(table, first + k) & P) throw new MachineError(`page 0x${(page + BigInt(k * PAGE_SIZE)).toString(16)} is already mapped`);
      }
    }, false);
    const bits = leafBits(perms);
    this.forEachLeafRun(va, size / PAGE_SIZE, (_page, table, first, count) => {
      for (let k = 0; k < count; k++) this.setEntry(table!, first + k, BigInt(this.mem.allocFrame()) | bits);
    }, true);
  }

  /** The `pages` pages from `va`, as runs sharing a leaf table: fn(first page, table, first index, count). */
  private forEachLeafRun(va: bigint, pages: number, fn: (page: bigint, table: number | undefined, first: number, count: number) => void, create: boolean): void {
    for (let done = 0; done < pages; ) {
      const page = va + BigInt(done * PAGE_SIZE);
      const first = Number((page >> 12n) & 511n);
      const count = Math.min(512 - first, pages - done);
      fn(page, this.leafTable(page, create), first, count);
      done += count;
    }
  }

  private forEachLeaf(va: bigint, size: number, fn: (table: number, index: number, e: bigint, page: bigint) => void): void {
    this.checkRange(va, size);
    const pages: [number, number, bigint, bigint][] = [];
    for (let off = 0; off < size; off += PAGE_SIZE) {
      const page = va + BigInt(off);
      const table = this.leafTable(page, false);
      const index = this.indices(page)[3]!;
      const e = table === undefined ? 0n : this.entry(table, index);
      if (!(e & P)) throw new MachineError(`page 0x${page.toString(16)} is not mapped`);
      pages.push([table!, index, e, page]);
    }
    for (const [t, i, e, p] of pages) fn(t, i, e, p); // all checked first: no half-done change
  }

  unmap(va: bigint, size: number): void {
    this.forEachLeaf(va, size, (table, index, e) => {
      this.mem.freeFrame(Number(e & ADDR_MASK));
      this.setEntry(table, index, 0n);
    });
  }

  protect(va: bigint, size: number, perms: Perms): void {
    const bits = leafBits(perms);
    this.forEachLeaf(va, size, (table, index, e) => this.setEntry(table, index, (e & ADDR_MASK) | bits));
  }

  /**
   * Every present 4 KiB mapping: (virtual page, physical frame, executable, writable, physical address of its
   * entry); `onTable` sees each page-table frame.
   */
  forEachMapping(
    fn: (va: bigint, frame: number, executable: boolean, writable: boolean, entry: number) => void,
    onTable?: (frame: number) => void,
  ): void {
    const walk = (table: number, level: number, base: bigint): void => {
      onTable?.(table);
      for (let i = 0; i < 512; i++) {
        const e = this.entry(table, i);
        if (!(e & P)) continue;
        let va = base | (BigInt(i) << BigInt(12 + 9 * (3 - level)));
        if (level === 0 && i >= 256) va |= 0xffff000000000000n; // sign-extend the upper half
        if (level === 3) fn(va, Number(e & ADDR_MASK), (e & NX) === 0n, (e & RW) !== 0n, table + i * 8);
        else walk(Number(e & ADDR_MASK), level + 1, va);
      }
    };
    walk(this.root, 0, 0n);
  }

  /** Walk the tables as the CPU does (4 KiB pages only: we never build large pages). */
  translate(va: bigint): Translation | undefined {
    if (!isCanonical(va)) return undefined;
    const table = this.leafTable(va, false);
    if (table === undefined) return undefined;
    const at = table + this.indices(va)[3]! * 8;
    const lo = this.mem.bytes.readUInt32LE(at);
    if (!(lo & 1)) return undefined;
    const hi = this.mem.bytes.readUInt32LE(at + 4);
    return { physical: frameOf(lo, hi) + Number(va & 0xfffn), writable: (lo & 2) !== 0, executable: hi >>> 31 === 0 };
  }
}

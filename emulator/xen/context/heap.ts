// Xen's xmalloc pool is set up during boot, which an image we load never ran: _xmalloc, _xzalloc, _xrealloc and
// xfree are served from a host heap in the directmap instead, as Xen's after boot would hand out memory. The
// heap's state lives in guest memory (its first page), so machine snapshots and restores cover it.
import type { Machine } from '../machine.ts';
import type { XenImageView } from './layout.ts';

/** What Xen's _xmalloc returns for a zero-byte request (xfree ignores it). */
export const ZERO_BLOCK_PTR = 0xbad0bad0bad0bad0n;
const HEADER = 16n; // size, then a magic telling live from freed blocks
const LIVE = 0x58454e484541504cn;
const FREED = 0x46524545445f5f5fn;
const CHUNK = 0x10000;

export class HostHeap {
  /** The first page holds the allocation pointer and the end of the mapped part. */
  constructor(private readonly machine: Machine, readonly base: bigint, readonly limit: number) {
    machine.map(base, CHUNK, 'rw');
    machine.writeU64(base, base + 0x1000n);
    machine.writeU64(base + 8n, base + BigInt(CHUNK));
  }

  get end(): bigint {
    return this.base + BigInt(this.limit);
  }

  contains(p: bigint): boolean {
    return p >= this.base + 0x1000n && p < this.end;
  }

  /** Aligned to `align` (at least 16), zero-filled; 0 when the heap is exhausted (Xen returns NULL). */
  alloc(size: bigint, align: bigint): bigint {
    if (size === 0n) return ZERO_BLOCK_PTR;
    const a = align > 16n && (align & (align - 1n)) === 0n ? align : 16n;
    const next = this.machine.readU64(this.base);
    const block = (next + HEADER + a - 1n) & ~(a - 1n);
    const stop = (block + size + 15n) & ~15n;
    if (size > BigInt(this.limit) || stop > this.end) return 0n;
    let mapped = this.machine.readU64(this.base + 8n);
    if (stop > mapped) {
      const grow = Number(((stop - mapped + BigInt(CHUNK) - 1n) / BigInt(CHUNK)) * BigInt(CHUNK));
      this.machine.map(mapped, grow, 'rw');
      mapped += BigInt(grow);
      this.machine.writeU64(this.base + 8n, mapped);
    }
    this.machine.writeU64(block - HEADER, size);
    this.machine.writeU64(block - 8n, LIVE);
    this.machine.fill(block, Number(size), 0);
    this.machine.writeU64(this.base, stop);
    return block;
  }

  /** The size of a live block, or undefined for anything else. */
  sizeOf(p: bigint): bigint | undefined {
    if (!this.contains(p) || this.machine.readU64(p - 8n) !== LIVE) return undefined;
    return this.machine.readU64(p - HEADER);
  }

  /** Memory is not reused (restores bring it back); a freed block is marked so a second xfree is noticed. */
  free(p: bigint): void {
    if (this.sizeOf(p) !== undefined) this.machine.writeU64(p - 8n, FREED);
  }

  /** Serve the image's allocator functions from this heap. */
  serve(image: XenImageView): void {
    const stub = (name: string, fn: (a: bigint[]) => bigint | void): void => {
      const at = image.symbols.address(name);
      if (at !== undefined) image.machine.stub(at, name, (args) => fn(args));
    };
    stub('_xmalloc', ([size, align]) => this.alloc(size!, align!));
    stub('_xzalloc', ([size, align]) => this.alloc(size!, align!));
    stub('xfree', ([p]) => this.free(p!));
    stub('_xrealloc', ([p, size, align]) => {
      const old = this.sizeOf(p!) ?? 0n; // ZERO_BLOCK_PTR lies outside the heap: 0 too
      const q = this.alloc(size!, align!);
      if (q !== 0n && q !== ZERO_BLOCK_PTR && old > 0n) {
        this.machine.write(q, this.machine.read(p!, Number(old < size! ? old : size!)));
      }
      if (q !== 0n) this.free(p!);
      return q;
    });
  }
}

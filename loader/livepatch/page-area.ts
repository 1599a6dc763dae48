// A first-fit page allocator over a virtual range, with one unmapped guard page before each allocation, as
// Xen's vmalloc_xen() hands out payload memory from the VMAP_XEN area. It only tracks addresses; mapping is
// the caller's (so a failed upload can give the range back before anything was mapped).
import { Errno, fail } from './errno.ts';

const PAGE = 0x1000n;

export class PageArea {
  /** base -> pages (guard page not counted) */
  private readonly used = new Map<bigint, number>();

  constructor(readonly start: bigint, readonly pages: number) {}

  get end(): bigint {
    return this.start + BigInt(this.pages) * PAGE;
  }

  reserve(pages: number): bigint {
    if (pages <= 0) fail(Errno.EINVAL, `cannot allocate ${pages} pages`);
    const taken = [...this.used.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    let cursor = this.start;
    for (const [base, n] of taken) {
      if (base - PAGE - cursor >= BigInt(pages + 1) * PAGE) break;
      cursor = base + BigInt(n) * PAGE;
    }
    const base = cursor + PAGE; // guard page
    if (base + BigInt(pages) * PAGE > this.end) fail(Errno.ENOMEM, `no room for ${pages} pages in the live-patch area`);
    this.used.set(base, pages);
    return base;
  }

  release(base: bigint): void {
    this.used.delete(base);
  }

  pagesAt(base: bigint): number | undefined {
    return this.used.get(base);
  }

  /** Allocator state, for snapshots and state hashes. */
  entries(): [bigint, number][] {
    return [...this.used.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  restore(entries: [bigint, number][]): void {
    this.used.clear();
    for (const [b, n] of entries) this.used.set(b, n);
  }
}

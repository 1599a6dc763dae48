// Host snapshots kept for the BFS frontier, stored as the RAM pages that differ from the root: a state
// differs from the root in a few pages, and a frontier can hold thousands of states.
import type { HostSnapshot } from '../../loader/livepatch/host.ts';

const PAGE = 4096;

export interface CompactSnapshot {
  readonly rest: HostSnapshot;
  readonly length: number;
  readonly pages: ReadonlyMap<number, Buffer>;
}

export function compact(s: HostSnapshot, root: Buffer): CompactSnapshot {
  const ram = s.machine.ram;
  const pages = new Map<number, Buffer>();
  for (let off = 0; off < ram.length; off += PAGE) {
    if (off >= root.length || ram.compare(root, off, off + PAGE, off, off + PAGE) !== 0) pages.set(off, Buffer.from(ram.subarray(off, off + PAGE)));
  }
  return { rest: { ...s, machine: { ...s.machine, ram: Buffer.alloc(0) } }, length: ram.length, pages };
}

/** The full snapshot; its RAM goes into `scratch` when that has the right size (restore copies it anyway). */
export function inflate(c: CompactSnapshot, root: Buffer, scratch?: Buffer): HostSnapshot {
  const ram = scratch?.length === c.length ? scratch : Buffer.allocUnsafe(c.length); // every byte is written below
  root.copy(ram, 0, 0, Math.min(root.length, c.length));
  for (const [off, page] of c.pages) page.copy(ram, off);
  return { ...c.rest, machine: { ...c.rest.machine, ram } };
}

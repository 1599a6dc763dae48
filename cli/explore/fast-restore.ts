// host.restore() without Machine.restore's page-table walk, which is most of its cost. Machine.restore walks
// every mapping to drop the translations of executable pages whose bytes changed, but only when some page
// changed: so the pages that differ are written back first, each executable one through machine.write at
// its virtual addresses (which drops exactly those translations), and the restore finds nothing to do.
// Valid only while the page tables are the ones indexed; a change to them takes the plain restore.
import type { HostSnapshot, LivepatchHost } from '../../loader/livepatch/host.ts';

const PAGE = 4096;
const P = 1n;
const NX = 1n << 63n;
const ADDR = 0x000ffffffffff000n;

interface FrameIndex {
  /** Page-table frames and their bytes when indexed. */
  tables: Map<number, Buffer>;
  /** Executable frames and the virtual pages that map them. */
  code: Map<number, bigint[]>;
}

export class FastRestore {
  private index: FrameIndex | undefined;

  constructor(private readonly host: LivepatchHost) {}

  /** The same 4-level walk as the CPU's (4 KiB pages only: xlp never builds large pages). */
  private build(): FrameIndex {
    const ram = this.host.machine.memory.bytes;
    const tables = new Map<number, Buffer>();
    const code = new Map<number, bigint[]>();
    const walk = (table: number, level: number, base: bigint): void => {
      tables.set(table, Buffer.from(ram.subarray(table, table + PAGE)));
      for (let i = 0; i < 512; i++) {
        const e = ram.readBigUInt64LE(table + i * 8);
        if (!(e & P)) continue;
        let va = base | (BigInt(i) << BigInt(12 + 9 * (3 - level)));
        if (level === 0 && i >= 256) va |= 0xffff000000000000n;
        const frame = Number(e & ADDR);
        if (level < 3) walk(frame, level + 1, va);
        else if (!(e & NX)) code.set(frame, [...(code.get(frame) ?? []), va]);
      }
    };
    walk(this.host.machine.pages.root, 0, 0n);
    return { tables, code };
  }

  private current(): FrameIndex {
    const ram = this.host.machine.memory.bytes;
    const ok = this.index && [...this.index.tables].every(([f, b]) => ram.compare(b, 0, PAGE, f, f + PAGE) === 0);
    if (!ok) this.index = this.build();
    return this.index!;
  }

  restore(s: HostSnapshot): void {
    const m = this.host.machine;
    const target = s.machine.ram;
    if (target.length === m.memory.highWater) {
      const index = this.current();
      const ram = m.memory.bytes;
      const changed: number[] = [];
      for (let f = 0; f < target.length; f += PAGE) {
        if (ram.compare(target, f, f + PAGE, f, f + PAGE) === 0) continue; // no views: this runs per page per restore
        if (index.tables.has(f)) {
          changed.length = 0; // the mappings differ: leave it all to the plain restore
          break;
        }
        changed.push(f);
      }
      for (const f of changed) {
        const page = target.subarray(f, f + PAGE);
        const vas = index.code.get(f);
        if (vas) for (const va of vas) m.write(va, page);
        else ram.set(page, f);
      }
    }
    this.host.restore(s);
  }
}

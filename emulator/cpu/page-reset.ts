// Putting RAM back after a short call without comparing all of it: the page tables' own dirty bits
// say which pages were written. The CPU sets D in a PTE on the first write through it (Unicorn walks the
// tables as hardware does), so with D cleared on every writable page and the TLB flushed, a reset copies
// back only the pages written since, with no hook per write. Pages written on every call (the stack, the
// arguments) and pages host code writes (host writes do not set D) are named in `always`: they keep their D
// bit and are copied back every time, so a call that writes only them needs no TLB flush. A call that maps
// memory (new frames) falls back to the machine's full restore.
import type { Cpu, MachineSnapshot } from './cpu.ts';
import { PAGE_SIZE } from './physical.ts';

const D_BIT = 0x40;

export interface Range {
  va: bigint;
  size: number;
}

export class PageReset {
  readonly snapshot: MachineSnapshot;
  /** Watched pages, as parallel arrays (scanned on every reset): virtual page, frame, PTE address, executable. */
  private readonly va: bigint[] = [];
  private readonly frame: Int32Array;
  private readonly entry: Int32Array;
  private readonly executable: Uint8Array;
  /** Physical frames copied back on every reset. */
  private readonly always: number[] = [];
  private fullRestores = 0;

  constructor(private readonly cpu: Cpu, always: readonly Range[] = []) {
    const inAlways = (va: bigint): boolean => always.some((r) => va >= (r.va & ~0xfffn) && va < r.va + BigInt(r.size));
    const frames: number[] = [];
    const entries: number[] = [];
    const exec: number[] = [];
    cpu.pages.forEachMapping((va, frame, executable, writable, entry) => {
      if (!writable) return;
      if (inAlways(va)) return void this.always.push(frame);
      this.va.push(va);
      frames.push(frame);
      entries.push(entry);
      exec.push(executable ? 1 : 0);
    });
    this.frame = Int32Array.from(frames);
    this.entry = Int32Array.from(entries);
    this.executable = Uint8Array.from(exec);
    this.cleanBits();
    this.snapshot = cpu.snapshot();
  }

  /** Times reset() had to fall back to a full restore (a call mapped memory). */
  get fallbacks(): number {
    return this.fullRestores;
  }

  private cleanBits(): void {
    const ram = this.cpu.memory.bytes;
    for (const e of this.entry) ram[e] = ram[e]! & ~D_BIT;
    this.cpu.uc.flushTlb();
  }

  /** Virtual pages the guest wrote since the last reset, besides the `always` ones (in page-table order). */
  written(): bigint[] {
    const ram = this.cpu.memory.bytes;
    const out: bigint[] = [];
    const entry = this.entry;
    for (let i = 0; i < entry.length; i++) if (ram[entry[i]!]! & D_BIT) out.push(this.va[i]!);
    return out;
  }

  private allocChanged(): boolean {
    const was = this.snapshot.alloc;
    return this.cpu.memory.highWater !== was.next || this.cpu.memory.freeFrames !== was.free.length;
  }

  /**
   * Back to the state at construction: the pages written since (all of RAM when `full`). Registers need no
   * reset: every top-level call starts from the CPU's defined state.
   */
  reset(full = false): void {
    if (full || this.allocChanged()) {
      this.fullRestores++;
      this.cpu.restore(this.snapshot);
      this.cpu.uc.flushTlb();
      return;
    }
    const ram = this.cpu.memory.bytes;
    const saved = this.snapshot.ram;
    let any = false;
    const entry = this.entry;
    for (let i = 0; i < entry.length; i++) {
      const e = entry[i]!;
      if ((ram[e]! & D_BIT) === 0) continue;
      const f = this.frame[i]!;
      saved.copy(ram, f, f, f + PAGE_SIZE);
      ram[e] = ram[e]! & ~D_BIT;
      if (this.executable[i]) this.cpu.uc.invalidateCode(this.va[i]!, this.va[i]! + 0x1000n);
      any = true;
    }
    for (const f of this.always) saved.copy(ram, f, f, f + PAGE_SIZE);
    if (any) this.cpu.uc.flushTlb();
  }

  /** Leave the machine as at construction with every D bit set again, as the page tables are built. */
  release(): void {
    this.reset();
    const ram = this.cpu.memory.bytes;
    for (const e of this.entry) ram[e] = ram[e]! | D_BIT;
    this.cpu.uc.flushTlb();
  }
}

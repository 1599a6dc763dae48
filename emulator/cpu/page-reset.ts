// Putting the machine back after a short call without comparing all of RAM: the page tables' own dirty bits
// say which pages were written. The CPU sets D in a PTE on the first write through it (Unicorn walks the
// tables as hardware does), so with D cleared on every writable page and the TLB flushed, a reset copies
// back only the pages written since, with no hook per write. Host writes do not set D: the pages host code
// writes (the stack's return slot, stub state) are named in `always` and copied back every time. A call
// that maps memory (new frames) falls back to the machine's full restore.
import type { Cpu, MachineSnapshot } from './cpu.ts';
import { PAGE_SIZE } from './physical.ts';

const D_BIT = 0x40;

interface Watched {
  va: bigint;
  frame: number;
  /** Physical address of the PTE. */
  entry: number;
  executable: boolean;
}

export interface Range {
  va: bigint;
  size: number;
}

export class PageReset {
  readonly snapshot: MachineSnapshot;
  private readonly watched: Watched[] = [];
  private readonly always: number[] = [];
  private fullRestores = 0;

  constructor(private readonly cpu: Cpu, always: readonly Range[] = []) {
    cpu.pages.forEachMapping((va, frame, executable, writable, entry) => {
      if (writable) this.watched.push({ va, frame, entry, executable });
    });
    for (const r of always) {
      for (let p = r.va & ~0xfffn; p < r.va + BigInt(r.size); p += 0x1000n) {
        const t = cpu.translate(p);
        if (t) this.always.push(t.physical);
      }
    }
    this.cleanBits();
    this.snapshot = cpu.snapshot();
  }

  /** Times reset() had to fall back to a full restore (a call mapped memory). */
  get fallbacks(): number {
    return this.fullRestores;
  }

  private cleanBits(): void {
    const ram = this.cpu.memory.bytes;
    for (const w of this.watched) ram[w.entry] = ram[w.entry]! & ~D_BIT;
    this.cpu.uc.flushTlb();
  }

  /** Virtual pages the guest wrote since the last reset (in page-table order). */
  written(): bigint[] {
    const ram = this.cpu.memory.bytes;
    return this.watched.filter((w) => (ram[w.entry]! & D_BIT) !== 0).map((w) => w.va);
  }

  private allocChanged(): boolean {
    const now = this.cpu.memory.saveState();
    const was = this.snapshot.alloc;
    return now.next !== was.next || now.free.length !== was.free.length;
  }

  /** Back to the state at construction: registers, and the pages written since (all of RAM when `full`). */
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
    for (const w of this.watched) {
      if ((ram[w.entry]! & D_BIT) === 0) continue;
      saved.copy(ram, w.frame, w.frame, w.frame + PAGE_SIZE);
      ram[w.entry] = ram[w.entry]! & ~D_BIT;
      if (w.executable) this.cpu.uc.invalidateCode(w.va, w.va + 0x1000n);
      any = true;
    }
    for (const f of this.always) saved.copy(ram, f, f, f + PAGE_SIZE);
    if (any) this.cpu.uc.flushTlb();
    for (const [r, v] of this.snapshot.registers) this.cpu.setReg(r, v);
  }

  /** Leave the machine as at construction with every D bit set again, as the page tables are built. */
  release(): void {
    this.reset();
    const ram = this.cpu.memory.bytes;
    for (const w of this.watched) ram[w.entry] = ram[w.entry]! | D_BIT;
    this.cpu.uc.flushTlb();
  }
}

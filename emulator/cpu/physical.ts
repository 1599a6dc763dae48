// Guest-physical RAM: one host mapping that never moves, handed out in 4 KiB frames.
import { MachineError } from './errors.ts';
import { HostMemory } from './unicorn.ts';

export const PAGE_SIZE = 4096;

/** Whole pages holding `n` bytes, at least one. */
export const pageRound = (n: number): number => Math.max(PAGE_SIZE, Math.ceil(n / PAGE_SIZE) * PAGE_SIZE);
/** An image and its payloads fit (Debian's 4.17 boots in ~4 MiB); bigger hosts grow the view. */
const INITIAL_VIEW = 16 << 20;

export class PhysicalMemory {
  readonly host: HostMemory;
  private next = 0; // bump pointer (frames below are in use or on the free list)
  private free: number[] = [];

  /** [0, view.length) of the host memory: at least up to the high-water mark (see cover()). */
  private view: Buffer;

  constructor(readonly size: number) {
    this.host = HostMemory.allocate(size);
    this.view = this.host.view(Math.min(size, INITIAL_VIEW));
  }

  /** RAM from frame 0, as far as frames were handed out (cover() for more). Do not keep it across allocations. */
  get bytes(): Buffer {
    return this.view;
  }

  /** Make bytes reach `end` (doubling, up to the size): Unicorn sees all of RAM, JavaScript what was handed out. */
  cover(end: number): void {
    if (end <= this.view.length) return;
    if (end > this.size) throw new MachineError(`guest RAM ends at ${this.size >> 20} MiB, not 0x${end.toString(16)}`);
    this.view = this.host.view(Math.max(end, this.view.length * 2));
  }

  /** Frames ever handed out: a snapshot only needs to copy below this mark. */
  get highWater(): number {
    return this.next;
  }

  /** Frames on the free list (a cheap test of whether anything was allocated or freed). */
  get freeFrames(): number {
    return this.free.length;
  }

  allocFrame(): number {
    const f = this.free.pop();
    if (f !== undefined) {
      this.bytes.fill(0, f, f + PAGE_SIZE);
      return f;
    }
    if (this.next + PAGE_SIZE > this.size) throw new MachineError(`guest RAM exhausted (${this.size >> 20} MiB)`);
    const frame = this.next;
    this.next += PAGE_SIZE;
    this.cover(this.next);
    return frame;
  }

  freeFrame(frame: number): void {
    this.free.push(frame);
  }

  /** Allocator state, for snapshots. */
  saveState(): { next: number; free: number[] } {
    return { next: this.next, free: [...this.free] };
  }

  restoreState(s: { next: number; free: number[] }): void {
    this.cover(s.next);
    this.next = s.next;
    this.free = [...s.free];
  }

  release(): void {
    this.host.free();
  }
}

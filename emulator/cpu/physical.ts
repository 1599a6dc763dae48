// Guest-physical RAM: one host mapping that never moves, handed out in 4 KiB frames.
import { MachineError } from './errors.ts';
import { HostMemory } from './unicorn.ts';

export const PAGE_SIZE = 4096;

export class PhysicalMemory {
  readonly host: HostMemory;
  private next = 0; // bump pointer (frames below are in use or on the free list)
  private free: number[] = [];

  constructor(readonly size: number) {
    this.host = HostMemory.allocate(size);
  }

  get bytes(): Buffer {
    return this.host.buffer;
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
    this.next = s.next;
    this.free = [...s.free];
  }

  release(): void {
    this.host.free();
  }
}

// Where buffer arguments live during one call: pages mapped for the call in an area of the lower canonical
// half (where an OS's checks on caller-supplied pointers accept them), each buffer ending at an unmapped guard
// page so an overrun faults as it would on real memory, all unmapped again when the call is over.
import { ArgumentError, type BufferArg, type CallArg, bufferContents, isBufferArg } from './arguments.ts';
import type { Perms } from './paging.ts';
import { PAGE_SIZE, pageRound } from './physical.ts';

export const ARGUMENT_AREA = 0x10000000n;
export const ARGUMENT_AREA_SIZE = 64 << 20;

interface GuestMemory {
  map(va: bigint, size: number, perms: Perms): void;
  unmap(va: bigint, size: number): void;
  write(va: bigint, data: Uint8Array): void;
}

/** One argument buffer as placed: its address and size. */
export interface PlacedBuffer {
  address: bigint;
  size: number;
}

export interface Placement {
  /** The register value of each argument. */
  values: bigint[];
  /** The buffer of each argument that is one. */
  buffers: (PlacedBuffer | undefined)[];
  readonly mappings: { va: bigint; size: number }[];
  readonly start: bigint;
}

export class ArgumentArea {
  private next = ARGUMENT_AREA;

  constructor(private readonly memory: GuestMemory) {}

  /** Map and fill the buffers of `args`; release() the placement after the call (also after a fault). */
  place(args: readonly CallArg[]): Placement {
    const p: Placement = { values: [], buffers: [], mappings: [], start: this.next };
    try {
      for (const a of args) {
        if (isBufferArg(a)) {
          const b = this.placeBuffer(a, p);
          p.values.push(b.address);
          p.buffers.push(b);
        } else {
          p.values.push(BigInt.asUintN(64, BigInt(a)));
          p.buffers.push(undefined);
        }
      }
      return p;
    } catch (e) {
      this.release(p);
      throw e;
    }
  }

  private placeBuffer(a: BufferArg, p: Placement): PlacedBuffer {
    const { bytes, pointers } = bufferContents(a);
    for (const ptr of pointers) bytes.writeBigUInt64LE(this.placeBuffer(ptr.target, p).address, ptr.offset);
    const size = pageRound(bytes.length);
    const va = this.next;
    if (va + BigInt(size) > ARGUMENT_AREA + BigInt(ARGUMENT_AREA_SIZE)) {
      throw new ArgumentError(`buffer arguments need more than the ${ARGUMENT_AREA_SIZE >> 20} MiB argument area`);
    }
    this.memory.map(va, size, 'rw');
    p.mappings.push({ va, size });
    this.next = va + BigInt(size + PAGE_SIZE); // an unmapped guard page after each buffer
    const address = (va + BigInt(size - bytes.length)) & ~0xfn; // ends at the guard page, 16-aligned
    this.memory.write(address, bytes);
    return { address, size: bytes.length };
  }

  /** Unmap what `p` mapped (placements are released in the reverse order of placing). */
  release(p: Placement): void {
    for (const m of p.mappings.splice(0).reverse()) this.memory.unmap(m.va, m.size);
    this.next = p.start;
  }
}

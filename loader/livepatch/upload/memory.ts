// What the hypervisor sees while loading: the payload's own pages (`image`, being filled in) and, everywhere
// else, current memory through ctx.peek. Xen dereferences raw pointers; where that would fault we get undefined.
import type { UploadContext } from './types.ts';

export class AddressSpace {
  constructor(readonly image: Buffer, readonly base: bigint, private readonly peek: UploadContext['peek']) {}

  get end(): bigint {
    return this.base + BigInt(this.image.length);
  }

  /** True iff [address, address+length) lies inside the payload's pages. */
  inImage(address: bigint, length: number): boolean {
    return address >= this.base && address + BigInt(length) <= this.end;
  }

  read(address: bigint, length: number): Uint8Array | undefined {
    if (this.inImage(address, length)) {
      const o = Number(address - this.base);
      return this.image.subarray(o, o + length);
    }
    const end = address + BigInt(length);
    if (end <= this.base || address >= this.end) return this.peek(address, length);
    // Straddles the payload's edge: stitch the two parts.
    const out = new Uint8Array(length);
    for (let a = address; a < end; ) {
      const inside = a >= this.base && a < this.end;
      const stop = inside ? (end < this.end ? end : this.end) : (a < this.base && end > this.base ? this.base : end);
      const part = this.read(a, Number(stop - a));
      if (!part) return undefined;
      out.set(part, Number(a - address));
      a = stop;
    }
    return out;
  }

  readU32(address: bigint): number | undefined {
    const b = this.read(address, 4);
    return b && new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }

  readU64(address: bigint): bigint | undefined {
    const b = this.read(address, 8);
    return b && new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  /** The NUL-terminated string at `address`, at most `max` bytes read; undefined if unreadable before the NUL. */
  cstring(address: bigint, max: number): Uint8Array | undefined {
    if (this.inImage(address, 1)) {
      const o = Number(address - this.base);
      const nul = this.image.indexOf(0, o);
      if (nul >= 0 && nul - o <= max) return Uint8Array.from(this.image.subarray(o, nul));
    }
    const out: number[] = [];
    for (let a = address; out.length < max; a++) {
      const b = this.read(a, 1);
      if (!b) return undefined;
      if (b[0] === 0) return Uint8Array.from(out);
      out.push(b[0]!);
    }
    return Uint8Array.from(out);
  }

  /** Writes into the payload's pages only; false if any byte would land outside them. */
  write(address: bigint, bytes: Uint8Array): boolean {
    if (!this.inImage(address, bytes.length)) return false;
    this.image.set(bytes, Number(address - this.base));
    return true;
  }

  writeU64(address: bigint, value: bigint): boolean {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return this.write(address, b);
  }
}

// Little-endian reads and LEB128 over one DWARF section, with a position; errors name the section and offset.
export class DwarfError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} (at offset 0x${offset.toString(16)})`);
    this.name = 'DwarfError';
  }
}

export class Cursor {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, public pos: number, readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw new DwarfError(`${this.what}: truncated (${n} bytes needed)`, at);
    this.pos += n;
    return at;
  }

  u8(): number { return this.bytes[this.need(1)]!; }
  u16(): number { return this.view.getUint16(this.need(2), true); }
  u24(): number { const at = this.need(3); return this.bytes[at]! | (this.bytes[at + 1]! << 8) | (this.bytes[at + 2]! << 16); }
  u32(): number { return this.view.getUint32(this.need(4), true); }
  u64(): number {
    const v = this.view.getBigUint64(this.need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DwarfError(`${this.what}: 64-bit value ${v} too large`, this.pos - 8);
    return Number(v);
  }
  u64big(): bigint { return this.view.getBigUint64(this.need(8), true); }
  skip(n: number): void { this.need(n); }

  /** LEB128 up to 10 bytes (64-bit values); beyond 2^53 the number is approximate, which only the skipped
   *  attributes (constants of enums and the like) ever reach. */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (!(b & 0x80)) return result;
      scale *= 128;
      if (scale > 2 ** 70) throw new DwarfError(`${this.what}: LEB128 too long`, this.pos);
    }
  }

  sleb(): number {
    let result = 0;
    let scale = 1;
    let b: number;
    do {
      b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (scale > 2 ** 70) throw new DwarfError(`${this.what}: LEB128 too long`, this.pos);
    } while (b & 0x80);
    return b & 0x40 ? result - scale : result;
  }

  cstring(): number {
    const start = this.pos;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) throw new DwarfError(`${this.what}: unterminated string`, start);
    this.pos = end + 1;
    return start;
  }
}

export function cstringAt(bytes: Uint8Array, offset: number, what: string): string {
  const end = bytes.indexOf(0, offset);
  if (offset >= bytes.length || end < 0) throw new DwarfError(`${what}: no string at 0x${offset.toString(16)}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString('utf8');
}

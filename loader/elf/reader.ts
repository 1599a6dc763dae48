import { ElfError, hex } from './errors.ts';

const TWO32 = 0x1_0000_0000;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextDecoder('latin1'); // only fed pure ASCII, where every decoder agrees

/**
 * Bounds-checked little-endian reader over the whole file. Every read of file
 * data goes through here, so a truncated or lying file yields an ElfError
 * naming the field and offset instead of a RangeError or undefined.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly length: number;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True iff [offset, offset+size) lies inside the file (NaN/fractions fail). */
  fits(offset: number, size: number): boolean {
    return Number.isInteger(offset) && Number.isInteger(size) && offset >= 0 && size >= 0 && offset + size <= this.length;
  }

  check(offset: number, size: number, what: string): void {
    if (!this.fits(offset, size)) {
      throw new ElfError(`${what}: ${size} byte(s) at ${hex(offset)} extend beyond end of file (${hex(this.length)})`, offset);
    }
  }

  u8(offset: number, what: string): number {
    this.check(offset, 1, what);
    return this.bytes[offset]!;
  }

  u16(offset: number, what: string): number {
    this.check(offset, 2, what);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, what: string): number {
    this.check(offset, 4, what);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number, what: string): bigint {
    this.check(offset, 8, what);
    return this.view.getBigUint64(offset, true);
  }

  i64(offset: number, what: string): bigint {
    this.check(offset, 8, what);
    return this.view.getBigInt64(offset, true);
  }

  /**
   * u64 as a number, for sizes and file offsets. Exact below 2^53; larger
   * values (never valid inside a file) are rounded but stay >= 2^53, so every
   * "beyond end of file" comparison remains correct. Avoids a BigInt per read.
   */
  u64n(offset: number, what: string): number {
    this.check(offset, 8, what);
    return this.view.getUint32(offset, true) + this.view.getUint32(offset + 4, true) * TWO32;
  }

  /** Checked view (no copy) of [offset, offset+size). */
  range(offset: number, size: number, what: string): Uint8Array {
    this.check(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }

  /**
   * NUL-terminated string starting at `start` that must end before `limit`
   * (the end of its string table). Unterminated -> ElfError at `start`.
   */
  cstring(start: number, limit: number, what: string): string {
    const s = this.tryCstring(start, limit);
    if (s === undefined) {
      throw new ElfError(`${what}: unterminated string (no NUL before ${hex(limit)})`, start);
    }
    return s;
  }

  /** Like cstring, but undefined when `start` is outside the file or no NUL precedes `limit`. */
  tryCstring(start: number, limit: number): string | undefined {
    const end = Math.min(limit, this.length);
    if (!this.fits(start, 0) || start >= end) return undefined;
    const nul = this.bytes.indexOf(0, start);
    return nul < 0 || nul >= end ? undefined : decodeString(this.bytes, start, nul);
  }
}

/**
 * A string table decoded once (a symbol table names thousands of strings: one native decode instead of one
 * decoder call per name). Names are slices of one latin1 string; a name holding a byte >= 0x80 is decoded as
 * decodeString() does, so every name reads exactly as cstring() would read it.
 */
export class StringTableText {
  private readonly text: string;
  private readonly ascii: boolean;

  /** [start, end) must lie inside `bytes` (the caller validated the section). */
  constructor(private readonly bytes: Uint8Array, private readonly start: number, end: number) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
    this.ascii = !NON_ASCII.test(this.text);
  }

  /** The NUL-terminated string at table offset `offset`; undefined when no NUL follows it inside the table. */
  at(offset: number): string | undefined {
    const nul = this.text.indexOf('\0', offset);
    if (nul < 0) return undefined;
    const s = this.text.slice(offset, nul);
    return this.ascii || !NON_ASCII.test(s) ? s : decodeString(this.bytes, this.start + offset, this.start + nul);
  }
}

const NON_ASCII = /[\x80-\xff]/;

/**
 * Decode bytes [start, end) as text: ASCII fast path, then strict UTF-8, and
 * latin1 (one char per byte, lossless) when the bytes are not valid UTF-8.
 */
export function decodeString(bytes: Uint8Array, start: number, end: number): string {
  if (start >= end) return '';
  const sub = bytes.subarray(start, end);
  for (let i = 0; i < sub.length; i++) {
    if (sub[i]! >= 0x80) {
      try {
        return utf8.decode(sub);
      } catch {
        let s = '';
        for (let j = 0; j < sub.length; j++) s += String.fromCharCode(sub[j]!);
        return s;
      }
    }
  }
  return ascii.decode(sub);
}

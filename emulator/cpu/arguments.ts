// Call arguments that may live in guest memory: an integer goes in its register as is; a buffer (zero bytes,
// given bytes, a C string, a struct of fields at offsets) is placed in guest memory and its address goes in
// the register. The text form `123`, `-1`, `0xff`, `zero:N`, `buf:HEX`, `str:TEXT` is what the CLI and
// scenario files accept (parseCallArg) and what reports print (formatCallArg).
import { MachineError } from './errors.ts';

export type GuestInt = bigint | number;

/** Memory the callee gets a pointer to. */
export type BufferArg =
  | { zero: number }
  | { bytes: Uint8Array }
  /** NUL-terminated UTF-8. */
  | { string: string }
  /** `size` bytes (default: up to the end of the last field), zero but for the fields. */
  | { struct: readonly StructField[]; size?: number };

export type StructField =
  | { offset: number; u8: GuestInt }
  | { offset: number; u16: GuestInt }
  | { offset: number; u32: GuestInt }
  | { offset: number; u64: GuestInt }
  | { offset: number; bytes: Uint8Array }
  /** A pointer (8 bytes) to another buffer placed for the same call. */
  | { offset: number; pointer: BufferArg };

export type CallArg = GuestInt | BufferArg;

/** An argument that is not what its syntax says, or does not fit. */
export class ArgumentError extends MachineError {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/** Largest buffer one argument may ask for. */
export const MAX_BUFFER = 1 << 20;

const INTEGER = /^-?(0x[0-9a-f]+|\d+)$/i;

/** An integer of 64 bits, exact: decimal, 0x-hex, or negative (two's complement). */
export function parseGuestInteger(text: string): bigint {
  if (!INTEGER.test(text)) throw new ArgumentError(`not an integer: ${JSON.stringify(text)}`);
  const neg = text.startsWith('-');
  const v = BigInt(neg ? text.slice(1) : text);
  if (neg ? v > 1n << 63n : v >= 1n << 64n) throw new ArgumentError(`does not fit in 64 bits: ${text}`);
  return BigInt.asUintN(64, neg ? -v : v);
}

/** One argument in its text form. */
export function parseCallArg(text: string): CallArg {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (kind) {
    case 'zero': {
      const n = INTEGER.test(rest) ? Number(parseGuestInteger(rest)) : NaN;
      if (!(n > 0 && n <= MAX_BUFFER)) throw new ArgumentError(`zero:N needs a size from 1 to ${MAX_BUFFER}: ${JSON.stringify(text)}`);
      return { zero: n };
    }
    case 'buf': {
      const digits = rest.replace(/^0x/i, '');
      if (!/^([0-9a-f]{2})+$/i.test(digits)) throw new ArgumentError(`buf:HEX needs pairs of hex digits: ${JSON.stringify(text)}`);
      return { bytes: checkSize(Buffer.from(digits, 'hex')) };
    }
    case 'str':
      checkSize(Buffer.from(`${rest}\0`));
      return { string: rest };
    default:
      if (colon >= 0) throw new ArgumentError(`unknown argument kind ${JSON.stringify(kind)} (zero:N, buf:HEX, str:TEXT or an integer)`);
      return parseGuestInteger(text);
  }
}

function checkSize(b: Buffer): Buffer {
  if (b.length > MAX_BUFFER) throw new ArgumentError(`a buffer argument is limited to ${MAX_BUFFER} bytes (got ${b.length})`);
  return b;
}

/** The text form of an argument (integers as 0x-hex); a struct has none and is described. */
export function formatCallArg(a: CallArg): string {
  if (typeof a === 'bigint' || typeof a === 'number') return `0x${BigInt.asUintN(64, BigInt(a)).toString(16)}`;
  if ('zero' in a) return `zero:${a.zero}`;
  if ('bytes' in a) return `buf:${Buffer.from(a.bytes).toString('hex')}`;
  if ('string' in a) return `str:${a.string}`;
  return `struct(${structSize(a)} bytes)`;
}

export function isBufferArg(a: CallArg): a is BufferArg {
  return typeof a === 'object';
}

/** The bytes a buffer starts with, and where its pointer fields go (filled in once their buffers are placed). */
export function bufferContents(a: BufferArg): { bytes: Buffer; pointers: { offset: number; target: BufferArg }[] } {
  if ('zero' in a) return { bytes: Buffer.alloc(a.zero), pointers: [] };
  if ('bytes' in a) return { bytes: Buffer.from(a.bytes), pointers: [] };
  if ('string' in a) return { bytes: Buffer.from(`${a.string}\0`), pointers: [] };
  const bytes = Buffer.alloc(structSize(a));
  const pointers: { offset: number; target: BufferArg }[] = [];
  for (const f of a.struct) {
    if ('u8' in f) bytes.writeUInt8(Number(BigInt.asUintN(8, BigInt(f.u8))), f.offset);
    else if ('u16' in f) bytes.writeUInt16LE(Number(BigInt.asUintN(16, BigInt(f.u16))), f.offset);
    else if ('u32' in f) bytes.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(f.u32))), f.offset);
    else if ('u64' in f) bytes.writeBigUInt64LE(BigInt.asUintN(64, BigInt(f.u64)), f.offset);
    else if ('bytes' in f) bytes.set(f.bytes, f.offset);
    else pointers.push({ offset: f.offset, target: f.pointer });
  }
  return { bytes, pointers };
}

function fieldEnd(f: StructField): number {
  if ('u8' in f) return f.offset + 1;
  if ('u16' in f) return f.offset + 2;
  if ('u32' in f) return f.offset + 4;
  if ('bytes' in f) return f.offset + f.bytes.length;
  return f.offset + 8; // u64, pointer
}

function structSize(a: { struct: readonly StructField[]; size?: number }): number {
  for (const f of a.struct) {
    if (!Number.isInteger(f.offset) || f.offset < 0) throw new ArgumentError(`struct field offset ${f.offset} is not a byte offset`);
  }
  const end = Math.max(0, ...a.struct.map(fieldEnd));
  const size = a.size ?? end;
  if (size < end) throw new ArgumentError(`struct size ${size} cuts its field ending at ${end}`);
  if (size <= 0 || size > MAX_BUFFER) throw new ArgumentError(`struct size must be from 1 to ${MAX_BUFFER} bytes (got ${size})`);
  return size;
}

/** The C string a buffer holds: printable text up to a NUL inside it (undefined when it is not one). */
export function cStringOf(bytes: Uint8Array): string | undefined {
  const end = bytes.indexOf(0);
  if (end <= 0) return undefined;
  const text = Buffer.from(bytes.subarray(0, end)).toString('utf8');
  return /^[^\x00-\x08\x0b-\x1f\x7f\ufffd]+$/.test(text) ? text : undefined;
}

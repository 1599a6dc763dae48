// Call arguments that may live in guest memory: an integer goes in its register as is; a buffer (zero bytes,
// given bytes, a C string, a struct of fields at offsets) is placed in guest memory (argument-area.ts) and its
// address goes in the register. Their text form (`zero:N`, …) is the CLI's: cli/call-args.ts.
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

export function structSize(a: { struct: readonly StructField[]; size?: number }): number {
  for (const f of a.struct) {
    if (!Number.isInteger(f.offset) || f.offset < 0) throw new ArgumentError(`struct field offset ${f.offset} is not a byte offset`);
  }
  const end = a.struct.reduce((m, f) => Math.max(m, fieldEnd(f)), 0); // no spread: a struct may have many fields
  const size = a.size ?? end;
  if (size < end) throw new ArgumentError(`struct size ${size} cuts its field ending at ${end}`);
  if (size <= 0 || size > MAX_BUFFER) throw new ArgumentError(`struct size must be from 1 to ${MAX_BUFFER} bytes (got ${size})`);
  return size;
}

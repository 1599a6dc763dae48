/**
 * The single error type of the ELF reader. Malformed input must never surface
 * as a RangeError or as undefined/NaN values, so every check funnels here.
 *
 * `offset` is the file offset of the thing that is wrong: the ELF header field
 * (e.g. 0x3a for e_shentsize), the section/program header record, the symbol,
 * note or relocation entry, or the first byte of a string. `what` is the
 * description without the offset; `message` combines both.
 */
export class ElfError extends Error {
  readonly what: string;
  readonly offset: number;

  constructor(what: string, offset: number) {
    super(`${what} at offset ${hex(offset)}`);
    this.name = 'ElfError';
    this.what = what;
    this.offset = offset;
  }
}

/** 0x-prefixed lower-case hex for numbers and bigints (used in messages). */
export function hex(v: number | bigint): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

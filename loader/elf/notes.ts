import { NOTE_HEADER_SIZE } from './constants.ts';
import { ElfError, hex } from './errors.ts';
import { decodeString, type ByteReader } from './reader.ts';

export interface ElfNote {
  name: string;
  type: number;
  desc: Uint8Array;
  /** File offset of the note header. */
  offset: number;
}

// Arithmetic, not bit ops: namesz/descsz are u32 and `& ~3` would go negative above 2^31.
const align4 = (n: number): number => n + ((4 - (n % 4)) % 4);

/**
 * Notes in [start, start+size): 12-byte header (namesz, descsz, type), then
 * name and desc each padded to 4 bytes. `what` names the container in errors.
 * The name is the bytes before the first NUL within namesz (Go-style names
 * without a terminator are accepted, as readelf does).
 */
export function parseNotes(r: ByteReader, start: number, size: number, what: string): ElfNote[] {
  r.check(start, size, what);
  const end = start + size;
  const out: ElfNote[] = [];
  let o = start;
  while (o < end) {
    if (end - o < NOTE_HEADER_SIZE) {
      throw new ElfError(`${what}: truncated note header (${end - o} of ${NOTE_HEADER_SIZE} bytes)`, o);
    }
    const namesz = r.u32(o, 'n_namesz');
    const descsz = r.u32(o + 4, 'n_descsz');
    const type = r.u32(o + 8, 'n_type');
    const nameAt = o + NOTE_HEADER_SIZE;
    const descAt = nameAt + align4(namesz);
    // The last desc may end unpadded at the container end; anything past it is truncation.
    if (descAt > end || descAt + descsz > end) {
      throw new ElfError(
        `${what}: truncated note (namesz ${namesz}, descsz ${descsz} need ${hex(descAt + descsz - o)} bytes, ` +
        `${hex(end - o)} left)`, o);
    }
    const nameBytes = r.range(nameAt, namesz, 'note name');
    const nul = nameBytes.indexOf(0);
    out.push({
      name: decodeString(nameBytes, 0, nul < 0 ? namesz : nul),
      type,
      desc: r.range(descAt, descsz, 'note desc'),
      offset: o,
    });
    o = descAt + align4(descsz);
  }
  return out;
}

// Where things are: the image's loaded segments, and for each payload its pages as Xen lays them out (an unmapped
// guard page, then text RX, RW data, RO data), with the trampolines drawn from the old code to the new.
import { PF_W, PF_X, PT_LOAD } from '../../loader/elf/constants.ts';
import type { LivepatchHost } from '../../loader/livepatch/host.ts';

const PAGE = 0x1000n;

export type RangeKind = 'image-text' | 'image-data' | 'image-ro' | 'guard' | 'payload-text' | 'payload-rw' | 'payload-ro';

export interface MapRange {
  start: bigint;
  end: bigint;
  kind: RangeKind;
  /** `r-x`, `rw-`, `r--`, `---` (unmapped). */
  perms: string;
  /** `image`, or the payload's name. */
  owner: string;
  label: string;
}

export interface MapJump {
  /** The patch site (in the old function). */
  from: bigint;
  fromSymbol: string;
  to: bigint;
  toSymbol: string;
  payload: string;
  /** The jump in memory now; false for a jump a later payload overwrote (its bytes are in that one's fstate). */
  live: boolean;
}

export interface MemoryMap {
  ranges: MapRange[];
  jumps: MapJump[];
}

const up = (v: bigint): bigint => (v + PAGE - 1n) & ~(PAGE - 1n);

/**
 * The image's PT_LOAD segments with their ELF permissions. A segment that is both writable and executable (Debian's
 * xen-syms has one for everything) is drawn as its text (`_stext`..`_etext`) and the rest, with the same permissions.
 */
export function imageRanges(host: LivepatchHost): MapRange[] {
  const text = host.image.text;
  return host.image.elf.programHeaders
    .filter((p) => p.type === PT_LOAD && p.memsz > 0)
    .flatMap((p): MapRange[] => {
      const x = (p.flags & PF_X) !== 0;
      const w = (p.flags & PF_W) !== 0;
      const perms = `r${w ? 'w' : '-'}${x ? 'x' : '-'}`;
      const start = p.vaddr & ~(PAGE - 1n);
      const end = up(p.vaddr + BigInt(p.memsz));
      const textEnd = up(text.end);
      if (x && w && text.start === start && textEnd < end) {
        return [
          { start, end: textEnd, kind: 'image-text', perms, owner: 'image', label: 'image text (_stext.._etext)' },
          { start: textEnd, end, kind: 'image-data', perms, owner: 'image', label: 'image data and read-only data' },
        ];
      }
      const kind: RangeKind = x ? 'image-text' : w ? 'image-data' : 'image-ro';
      const label = x ? 'image text' : w ? 'image data' : 'image read-only data';
      return [{ start, end, kind, perms, owner: 'image', label }];
    });
}

/** The payload's pages in address order, each region rounded to pages as Xen maps them, and the guard page before. */
export function payloadRanges(host: LivepatchHost, name: string): MapRange[] {
  const p = host.payload(name).prepared;
  const out: MapRange[] = [{ start: p.base - PAGE, end: p.base, kind: 'guard', perms: '---', owner: name, label: 'guard page (unmapped)' }];
  const parts: [RangeKind, string, string, { address: bigint; size: number }][] = [
    ['payload-text', 'r-x', 'text', p.text], ['payload-rw', 'rw-', 'data', p.rw], ['payload-ro', 'r--', 'read-only data', p.ro],
  ];
  for (const [kind, perms, what, r] of parts) {
    if (r.size > 0) out.push({ start: r.address, end: up(r.address + BigInt(r.size)), kind, perms, owner: name, label: `${name} ${what}` });
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : 1));
}

export function memoryMap(host: LivepatchHost, jumps: MapJump[]): MemoryMap {
  const ranges = [...imageRanges(host), ...host.list().flatMap((e) => payloadRanges(host, e.name))];
  return { ranges: ranges.sort((a, b) => (a.start < b.start ? -1 : 1)), jumps };
}

/** A key that changes when anything drawn changes. */
export function mapKey(m: MemoryMap): string {
  return JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
}

// Walks the DIEs of .debug_info (DWARF 4 and 5 compile units), reading the attributes a visitor asks for and
// skipping every other by its form. References come back as absolute .debug_info offsets, strings as text.
import { type Abbrev, parseAbbrevs } from './abbrev.ts';
import { DW_AT, DW_FORM } from './constants.ts';
import { Cursor, DwarfError, cstringAt } from './cursor.ts';

export interface DwarfSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  strOffsets?: Uint8Array;
  aranges?: Uint8Array;
}

/**
 * An attribute's value: a number (constants, flags, references as absolute offsets), a bigint (DW_FORM_addr:
 * Xen's addresses are above 2^53), a string, or bytes.
 */
export type AttrValue = number | bigint | string | Uint8Array;

/** An attribute read as a number or a string (undefined otherwise), and the empty attribute list. */
export const num = (v: AttrValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
export const str = (v: AttrValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
export const NO_ATTRS: readonly number[] = [];

export interface Die {
  offset: number;
  tag: number;
  depth: number;
  children: boolean;
}

interface Unit {
  offsetSize: 4 | 8;
  addressSize: number;
  version: number;
  start: number;
  strOffsetsBase?: number;
}

/**
 * Calls `visit` for each DIE with its tag and depth; `wanted(tag)` names the attributes to read for a tag
 * (an empty list reads none). Depth 0 is the unit's root. `attrs` is reused from one DIE to the next.
 * With `unit` (a unit header's .debug_info offset), only that unit is walked.
 */
export function walkDies(
  s: DwarfSections, wanted: (tag: number) => readonly number[], visit: (die: Die, attrs: Map<number, AttrValue>) => void, unit?: number,
): void {
  const c = new Cursor(s.info, unit ?? 0, '.debug_info');
  const abbrevCache = new Map<number, Map<number, Abbrev>>();
  const keepCache = new WeakMap<Abbrev, boolean[]>();
  const attrs = new Map<number, AttrValue>();
  const die: Die = { offset: 0, tag: 0, depth: 0, children: false };
  while (c.pos < s.info.length) {
    const start = c.pos;
    let length = c.u32();
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) {
      length = c.u64();
      offsetSize = 8;
    }
    const end = c.pos + length;
    if (end > s.info.length) throw new DwarfError('.debug_info: unit runs past the section', start);
    const version = c.u16();
    if (version < 2 || version > 5) throw new DwarfError(`.debug_info: unsupported DWARF version ${version}`, start);
    let abbrevOffset: number;
    let addressSize: number;
    if (version >= 5) {
      const unitType = c.u8();
      addressSize = c.u8();
      abbrevOffset = offsetSize === 8 ? c.u64() : c.u32();
      if (unitType === 0x02 || unitType === 0x06) c.skip(8 + offsetSize); // type units: signature, type offset
      else if (unitType === 0x04 || unitType === 0x05) c.skip(8); // skeleton/split: dwo id
    } else {
      abbrevOffset = offsetSize === 8 ? c.u64() : c.u32();
      addressSize = c.u8();
    }
    let abbrevs = abbrevCache.get(abbrevOffset);
    if (!abbrevs) abbrevCache.set(abbrevOffset, (abbrevs = parseAbbrevs(s.abbrev, abbrevOffset)));
    const r = new FormReader(c, s, { offsetSize, addressSize, version, start });
    let depth = 0;
    while (c.pos < end) {
      const offset = c.pos;
      const code = c.uleb();
      if (code === 0) {
        depth--;
        continue;
      }
      const ab = abbrevs.get(code);
      if (!ab) throw new DwarfError(`.debug_info: unknown abbreviation ${code}`, offset);
      let keep = keepCache.get(ab);
      if (!keep) {
        const want = wanted(ab.tag);
        keepCache.set(ab, (keep = ab.attrs.map((a) => want.includes(a.at) || a.at === DW_AT.str_offsets_base)));
      }
      attrs.clear();
      for (let i = 0; i < ab.attrs.length; i++) {
        const a = ab.attrs[i]!;
        const v = r.read(a.form, keep[i]!, a.implicit);
        if (v !== undefined) attrs.set(a.at, v);
      }
      if (depth === 0) r.unit.strOffsetsBase = attrs.get(DW_AT.str_offsets_base) as number | undefined;
      die.offset = offset;
      die.tag = ab.tag;
      die.depth = depth;
      die.children = ab.children;
      visit(die, attrs);
      if (ab.children) depth++;
    }
    c.pos = end;
    if (unit !== undefined) return;
  }
}

/** Reads (keep) or skips one attribute value by its form, within one unit. */
class FormReader {
  constructor(private readonly c: Cursor, private readonly s: DwarfSections, readonly unit: Unit) {}

  private off(): number {
    return this.unit.offsetSize === 8 ? this.c.u64() : this.c.u32();
  }

  private str(section: Uint8Array | undefined, name: string, at: number, keep: boolean): string | undefined {
    if (!keep) return undefined;
    if (!section) throw new DwarfError(`${name} missing for a string attribute`);
    return cstringAt(section, at, name);
  }

  private strx(index: number, keep: boolean): string | undefined {
    if (!keep) return undefined;
    const u = this.unit;
    if (!this.s.strOffsets || u.strOffsetsBase === undefined) throw new DwarfError('.debug_str_offsets missing for DW_FORM_strx');
    const oc = new Cursor(this.s.strOffsets, u.strOffsetsBase + index * u.offsetSize, '.debug_str_offsets');
    return this.str(this.s.str, '.debug_str', u.offsetSize === 8 ? oc.u64() : oc.u32(), keep);
  }

  private block(n: number, keep: boolean): Uint8Array | undefined {
    const at = this.c.pos;
    this.c.skip(n);
    return keep ? this.c.bytes.subarray(at, at + n) : undefined;
  }

  read(form: number, keep: boolean, implicit?: number): AttrValue | undefined {
    const c = this.c;
    const u = this.unit;
    switch (form) {
      case DW_FORM.addr:
        if (!keep || u.addressSize !== 8) { c.skip(u.addressSize); return undefined; }
        return c.u64big();
      case DW_FORM.data1: case DW_FORM.flag: case DW_FORM.addrx1: return c.u8();
      case DW_FORM.ref1: return u.start + c.u8();
      case DW_FORM.strx1: return this.strx(c.u8(), keep);
      case DW_FORM.data2: case DW_FORM.addrx2: return c.u16();
      case DW_FORM.ref2: return u.start + c.u16();
      case DW_FORM.strx2: return this.strx(c.u16(), keep);
      case DW_FORM.addrx3: return c.u24();
      case DW_FORM.strx3: return this.strx(c.u24(), keep);
      case DW_FORM.data4: case DW_FORM.addrx4: case DW_FORM.ref_sup4: return c.u32();
      case DW_FORM.ref4: return u.start + c.u32();
      case DW_FORM.strx4: return this.strx(c.u32(), keep);
      case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8:
        if (!keep) { c.skip(8); return undefined; }
        return form === DW_FORM.ref8 ? u.start + c.u64() : c.u64();
      case DW_FORM.data16: c.skip(16); return undefined;
      case DW_FORM.sdata: return c.sleb();
      case DW_FORM.udata: case DW_FORM.addrx: case DW_FORM.loclistx: case DW_FORM.rnglistx: return c.uleb();
      case DW_FORM.ref_udata: return u.start + c.uleb();
      case DW_FORM.strx: return this.strx(c.uleb(), keep);
      case DW_FORM.string: {
        const at = c.cstring();
        return keep ? cstringAt(c.bytes, at, '.debug_info') : undefined;
      }
      case DW_FORM.strp: return this.str(this.s.str, '.debug_str', this.off(), keep);
      case DW_FORM.line_strp: return this.str(this.s.lineStr, '.debug_line_str', this.off(), keep);
      case DW_FORM.strp_sup: case DW_FORM.sec_offset: return this.off();
      case DW_FORM.ref_addr: return u.version <= 2 ? (u.addressSize === 8 ? c.u64() : c.u32()) : this.off();
      case DW_FORM.block1: return this.block(c.u8(), keep);
      case DW_FORM.block2: return this.block(c.u16(), keep);
      case DW_FORM.block4: return this.block(c.u32(), keep);
      case DW_FORM.block: case DW_FORM.exprloc: return this.block(c.uleb(), keep);
      case DW_FORM.flag_present: return 1;
      case DW_FORM.implicit_const: return implicit;
      case DW_FORM.indirect: return this.read(c.uleb(), keep);
      default: throw new DwarfError(`.debug_info: unknown form 0x${form.toString(16)}`, c.pos);
    }
  }
}

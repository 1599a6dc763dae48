// Struct and union layouts from an ELF's DWARF: the offsets Xen was compiled with, for images that carry
// .debug_info (Debian 13's xen-syms-4.20 does; bookworm's 4.17 does not). One pass over .debug_info indexes
// every struct/union definition by name; a member path such as `vcpu.domain` or `cpu_info.current_vcpu` walks
// named members and descends into anonymous ones, following typedefs and qualifiers.
import type { ElfFile } from '../elf/index.ts';
import { DW_AT, DW_OP_plus_uconst, DW_TAG } from './constants.ts';
import { Cursor, DwarfError } from './cursor.ts';
import { dwarfSections } from './sections.ts';
import { type AttrValue, NO_ATTRS as NONE, type DwarfSections, num, walkDies } from './units.ts';

export interface StructMember {
  /** Absent for an anonymous struct or union member. */
  name?: string;
  /** Byte offset in the enclosing struct (for a bit field, the byte holding its first bit). */
  offset: number;
  bitSize?: number;
  /** Bit offset from the start of the enclosing struct (bit fields only). */
  bitOffset?: number;
  /** .debug_info offset of the member's type DIE. */
  type?: number;
}

export interface StructLayout {
  kind: 'struct' | 'union';
  name?: string;
  size: number;
  members: StructMember[];
  /** .debug_info offset of the definition. */
  die: number;
}

/** DW_TAG_const_type, volatile_type, typedef, restrict, atomic: followed to reach the struct a member holds. */
const QUALIFIERS = new Set<number>([DW_TAG.const_type, DW_TAG.volatile_type, DW_TAG.typedef, DW_TAG.restrict_type, DW_TAG.atomic_type]);
const NAME_SIZE = [DW_AT.name, DW_AT.byte_size, DW_AT.declaration] as const;
const MEMBER = [DW_AT.name, DW_AT.type, DW_AT.data_member_location, DW_AT.bit_size, DW_AT.data_bit_offset] as const;
const TYPE_ONLY = [DW_AT.type] as const;

export class StructLayouts {
  private readonly byDie = new Map<number, StructLayout>();
  private readonly byName = new Map<string, StructLayout[]>();
  /** Qualifier/typedef DIE → the type it names. */
  private readonly aliases = new Map<number, number>();

  private constructor(s: DwarfSections) {
    const open: (StructLayout | undefined)[] = [];
    walkDies(
      s,
      (tag) => (tag === DW_TAG.structure_type || tag === DW_TAG.union_type ? NAME_SIZE : tag === DW_TAG.member ? MEMBER : QUALIFIERS.has(tag) ? TYPE_ONLY : NONE),
      (die, a) => {
        open[die.depth] = undefined;
        const parent = die.depth > 0 ? open[die.depth - 1] : undefined;
        if (die.tag === DW_TAG.structure_type || die.tag === DW_TAG.union_type) {
          if (a.get(DW_AT.declaration)) return;
          const name = a.get(DW_AT.name) as string | undefined;
          const layout: StructLayout = { kind: die.tag === DW_TAG.union_type ? 'union' : 'struct', size: num(a.get(DW_AT.byte_size)) ?? 0, members: [], die: die.offset };
          if (name !== undefined) layout.name = name;
          this.byDie.set(die.offset, layout);
          if (name !== undefined) {
            const list = this.byName.get(name);
            if (list) list.push(layout);
            else this.byName.set(name, [layout]);
          }
          open[die.depth] = layout;
        } else if (die.tag === DW_TAG.member && parent) {
          parent.members.push(member(a, die.offset));
        } else if (QUALIFIERS.has(die.tag)) {
          const t = num(a.get(DW_AT.type));
          if (t !== undefined) this.aliases.set(die.offset, t);
        }
      },
    );
  }

  static fromElf(elf: ElfFile): StructLayouts | undefined {
    const s = dwarfSections(elf);
    return s && new StructLayouts(s);
  }

  /** Every distinct definition of `struct name` (compile units repeat them; a name may mean two structs). */
  variants(name: string): StructLayout[] {
    const seen = new Map<string, StructLayout>();
    for (const l of this.byName.get(name) ?? []) seen.set(JSON.stringify([l.kind, l.size, l.members.map((m) => [m.name, m.offset, m.bitOffset])]), l);
    return [...seen.values()];
  }

  /** The one layout of `struct name`; throws when the image defines two different ones. */
  get(name: string): StructLayout | undefined {
    const v = this.variants(name);
    if (v.length > 1) throw new DwarfError(`struct ${name} has ${v.length} different definitions in the image`);
    return v[0];
  }

  /** Offset of a member path `struct.member[.member…]`, descending into anonymous members; undefined if absent. */
  offsetOf(path: string): number | undefined {
    const [name, ...members] = path.split('.');
    let layout = this.get(name!);
    let base = 0;
    for (const [i, m] of members.entries()) {
      if (!layout) return undefined;
      const found = this.findMember(layout, m);
      if (!found) return undefined;
      base += found.offset;
      layout = i < members.length - 1 && found.member.type !== undefined ? this.structOf(found.member.type) : undefined;
    }
    return base;
  }

  private findMember(l: StructLayout, name: string): { member: StructMember; offset: number } | undefined {
    for (const m of l.members) if (m.name === name) return { member: m, offset: m.offset };
    for (const m of l.members) {
      if (m.name !== undefined || m.type === undefined) continue;
      const inner = this.structOf(m.type);
      const found = inner && this.findMember(inner, name);
      if (found) return { member: found.member, offset: m.offset + found.offset };
    }
    return undefined;
  }

  private structOf(type: number): StructLayout | undefined {
    for (let t: number | undefined = type, hops = 0; t !== undefined && hops < 16; t = this.aliases.get(t), hops++) {
      const l = this.byDie.get(t);
      if (l) return l;
    }
    return undefined;
  }
}

function member(a: Map<number, AttrValue>, at: number): StructMember {
  const m: StructMember = { offset: 0 };
  const name = a.get(DW_AT.name);
  if (typeof name === 'string') m.name = name;
  const type = num(a.get(DW_AT.type));
  if (type !== undefined) m.type = type;
  const loc = a.get(DW_AT.data_member_location);
  if (typeof loc === 'number') m.offset = loc;
  else if (loc instanceof Uint8Array) {
    const c = new Cursor(loc, 0, 'DW_AT_data_member_location');
    if (c.u8() !== DW_OP_plus_uconst) throw new DwarfError('member location is not DW_OP_plus_uconst', at);
    m.offset = c.uleb();
  }
  const bitSize = num(a.get(DW_AT.bit_size));
  const bitOffset = num(a.get(DW_AT.data_bit_offset));
  if (bitSize !== undefined) m.bitSize = bitSize;
  if (bitOffset !== undefined) {
    m.bitOffset = bitOffset;
    m.offset = Math.floor(bitOffset / 8);
  }
  return m;
}

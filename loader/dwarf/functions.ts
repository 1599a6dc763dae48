// Function prototypes from an ELF's DWARF: what a function at an address takes and returns, as its compile
// unit describes it. Only the unit that covers the address is read (found through .debug_aranges).
import type { ElfFile } from '../elf/index.ts';
import { unitCovering } from './aranges.ts';
import { DW_AT, DW_ATE_CHAR, DW_ATE_INTEGER, DW_TAG } from './constants.ts';
import { dwarfSections } from './sections.ts';
import { NO_ATTRS as NONE, type DwarfSections, num, str, walkDies } from './units.ts';

/** A C type as far as calling a function needs it; `text` spells it as C (and gdb's ptype) does. */
export type CType = { text: string } & (
  | { kind: 'void' }
  | { kind: 'int'; bits: number; signed: boolean; char: boolean }
  | { kind: 'pointer'; to: CType }
  /** Passed or returned by value but not an integer: struct, union, float, …. */
  | { kind: 'other' }
);

export interface FunctionPrototype {
  name: string;
  returns: CType;
  params: { name?: string; type: CType }[];
  /** Ends in `...`. */
  variadic: boolean;
}

interface TypeDie {
  tag: number;
  name?: string;
  type?: number;
  size?: number;
  encoding?: number;
}

interface ParamDie {
  name?: string;
  type?: number;
  origin?: number;
}

interface SubprogramDie {
  name?: string;
  lowPc?: bigint;
  origin?: number;
  returns?: number;
  params: ParamDie[];
  variadic: boolean;
}

const TYPE_TAGS = new Set<number>([
  DW_TAG.base_type, DW_TAG.pointer_type, DW_TAG.typedef, DW_TAG.const_type, DW_TAG.volatile_type, DW_TAG.restrict_type,
  DW_TAG.atomic_type, DW_TAG.structure_type, DW_TAG.union_type, DW_TAG.enumeration_type, DW_TAG.array_type,
  DW_TAG.subroutine_type,
]);
const TYPE_ATTRS = [DW_AT.name, DW_AT.type, DW_AT.byte_size, DW_AT.encoding] as const;
const SUB_ATTRS = [DW_AT.name, DW_AT.low_pc, DW_AT.abstract_origin, DW_AT.type] as const;
const PARAM_ATTRS = [DW_AT.name, DW_AT.type, DW_AT.abstract_origin] as const;
/** Typedef chains and pointers to pointers are short; a cycle would be a broken unit. */
const MAX_DEPTH = 32;


/** One compile unit's types and subprograms, by .debug_info offset. */
class Unit {
  readonly types = new Map<number, TypeDie>();
  readonly subprograms = new Map<number, SubprogramDie>();
  private readonly params = new Map<number, ParamDie>();

  constructor(s: DwarfSections, unit: number | undefined) {
    const open: (SubprogramDie | undefined)[] = [];
    walkDies(
      s,
      (tag) => (tag === DW_TAG.subprogram ? SUB_ATTRS : tag === DW_TAG.formal_parameter ? PARAM_ATTRS : TYPE_TAGS.has(tag) ? TYPE_ATTRS : NONE),
      (die, a) => {
        open[die.depth] = undefined;
        const parent = die.depth > 0 ? open[die.depth - 1] : undefined;
        if (die.tag === DW_TAG.subprogram) {
          const sub: SubprogramDie = { params: [], variadic: false };
          const name = str(a.get(DW_AT.name));
          const lowPc = a.get(DW_AT.low_pc);
          const origin = num(a.get(DW_AT.abstract_origin));
          const returns = num(a.get(DW_AT.type));
          if (name !== undefined) sub.name = name;
          if (typeof lowPc === 'bigint') sub.lowPc = lowPc;
          if (origin !== undefined) sub.origin = origin;
          if (returns !== undefined) sub.returns = returns;
          this.subprograms.set(die.offset, sub);
          open[die.depth] = sub;
        } else if (die.tag === DW_TAG.formal_parameter && parent) {
          const p: ParamDie = {};
          const name = str(a.get(DW_AT.name));
          const type = num(a.get(DW_AT.type));
          const origin = num(a.get(DW_AT.abstract_origin));
          if (name !== undefined) p.name = name;
          if (type !== undefined) p.type = type;
          if (origin !== undefined) p.origin = origin;
          parent.params.push(p);
          this.params.set(die.offset, p);
        } else if (die.tag === DW_TAG.unspecified_parameters && parent) {
          parent.variadic = true;
        } else if (TYPE_TAGS.has(die.tag)) {
          const t: TypeDie = { tag: die.tag };
          const name = str(a.get(DW_AT.name));
          const type = num(a.get(DW_AT.type));
          const size = num(a.get(DW_AT.byte_size));
          const encoding = num(a.get(DW_AT.encoding));
          if (name !== undefined) t.name = name;
          if (type !== undefined) t.type = type;
          if (size !== undefined) t.size = size;
          if (encoding !== undefined) t.encoding = encoding;
          this.types.set(die.offset, t);
        }
      },
      unit,
    );
  }

  /** The C type at a DIE offset (undefined: void, as DWARF leaves DW_AT_type out for it). */
  type(at: number | undefined, depth = 0): CType {
    if (at === undefined) return { kind: 'void', text: 'void' };
    const t = this.types.get(at);
    if (!t || depth > MAX_DEPTH) return { kind: 'other', text: '?' };
    const inner = (): CType => this.type(t.type, depth + 1);
    switch (t.tag) {
      case DW_TAG.base_type: {
        const int = t.encoding === undefined ? undefined : DW_ATE_INTEGER.get(t.encoding);
        const text = t.name ?? '?';
        return int && t.size ? { kind: 'int', bits: t.size * 8, signed: int.signed, char: DW_ATE_CHAR.has(t.encoding!), text } : { kind: 'other', text };
      }
      case DW_TAG.enumeration_type: {
        const text = `enum ${t.name ?? '{...}'}`;
        const under = t.type === undefined ? undefined : inner();
        if (under?.kind === 'int') return { ...under, char: false, text };
        return { kind: 'int', bits: (t.size ?? 4) * 8, signed: false, char: false, text };
      }
      case DW_TAG.typedef: return { ...inner(), text: t.name ?? '?' };
      case DW_TAG.const_type: case DW_TAG.volatile_type: {
        const q = t.tag === DW_TAG.const_type ? 'const' : 'volatile';
        const i = inner();
        // gdb's spelling: `const char`, but `char * const` for a qualified pointer
        return { ...i, text: i.kind === 'pointer' ? `${i.text} ${q}` : `${q} ${i.text}` };
      }
      case DW_TAG.restrict_type: case DW_TAG.atomic_type: return inner();
      case DW_TAG.pointer_type: {
        const to = inner();
        return { kind: 'pointer', to, text: to.text.endsWith('*') ? `${to.text}*` : `${to.text} *` };
      }
      case DW_TAG.structure_type: return { kind: 'other', text: `struct ${t.name ?? '{...}'}` };
      case DW_TAG.union_type: return { kind: 'other', text: `union ${t.name ?? '{...}'}` };
      default: return { kind: 'other', text: t.name ?? '?' };
    }
  }

  prototype(sub: SubprogramDie): FunctionPrototype | undefined {
    // an out-of-line copy of an inlined function: its abstract instance holds the prototype
    const decl = sub.origin !== undefined ? this.subprograms.get(sub.origin) : sub;
    const name = sub.name ?? decl?.name;
    if (!decl || name === undefined) return undefined;
    return {
      name,
      returns: this.type(decl.returns),
      params: decl.params.map((p) => {
        const origin = p.origin === undefined ? undefined : this.params.get(p.origin);
        const pname = p.name ?? origin?.name;
        const type = this.type(p.type ?? origin?.type);
        return pname === undefined ? { type } : { name: pname, type };
      }),
      variadic: decl.variadic,
    };
  }
}

/** Prototypes of the functions an image's DWARF describes; undefined from fromElf when it has no DWARF. */
export class FunctionPrototypes {
  private readonly units = new Map<number | undefined, Unit>();

  private constructor(private readonly s: DwarfSections) {}

  static fromElf(elf: ElfFile): FunctionPrototypes | undefined {
    const s = dwarfSections(elf);
    return s && new FunctionPrototypes(s);
  }

  /** The prototype of the function whose code starts at `address` (its DW_AT_low_pc), or undefined. */
  at(address: bigint): FunctionPrototype | undefined {
    // with .debug_aranges only the covering unit is read; an address it does not cover has no DWARF
    const unit = this.s.aranges ? unitCovering(this.s.aranges, address) : undefined;
    if (this.s.aranges && unit === undefined) return undefined;
    let u = this.units.get(unit);
    if (!u) this.units.set(unit, (u = new Unit(this.s, unit)));
    for (const sub of u.subprograms.values()) if (sub.lowPc === address) return u.prototype(sub);
    return undefined;
  }
}

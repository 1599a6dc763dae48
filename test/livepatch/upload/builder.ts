// Hand-built payload objects (via test/elf/writer.ts): sections, symbols and relocations are named, so a test
// can take the valid base payload, change one thing, and know where every byte lands.
import {
  R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32, SHF_ALLOC, SHF_EXECINSTR, SHF_INFO_LINK, SHF_MERGE, SHF_STRINGS,
  SHF_WRITE, SHN_UNDEF, SHT_NOTE, SHT_PROGBITS, SHT_RELA, STB_GLOBAL, STB_LOCAL, STT_FUNC, STT_OBJECT,
  STT_SECTION,
} from '../../../loader/elf/index.ts';
import { ALT_INSTR, LIVEPATCH_FUNC } from '../../../loader/abi.ts';
import { buildElf, noteBytes, relaBytes, type Built, type WSection, type WSymbol } from '../../elf/writer.ts';
import { XEN_BUILD_ID } from './context.ts';

export const AX = SHF_ALLOC | SHF_EXECINSTR;
export const WA = SHF_ALLOC | SHF_WRITE;
export const A = SHF_ALLOC;

export interface PSymbol extends Omit<WSymbol, 'shndx'> {
  /** Section name, or a raw st_shndx. */
  section?: string | number;
}

export interface PReloc {
  /** Section the relocation applies to (a `.rela<target>` section is generated). */
  target: string;
  offset: bigint;
  type: number;
  /** Symbol name (first match) or raw index. */
  symbol: string | number;
  addend?: bigint;
}

export interface PayloadSpec {
  sections: WSection[];
  symbols: PSymbol[];
  relocs: PReloc[];
}

export interface BuiltPayload extends Built {
  spec: PayloadSpec;
  /** Section header file offset by section name. */
  shdr(name: string): number;
  /** Symbol table index by symbol name. */
  symbolIndex(name: string): number;
}

export function buildPayload(spec: PayloadSpec): BuiltPayload {
  const sections = spec.sections.map((s) => ({ ...s }));
  const indexOf = (name: string): number => {
    const i = sections.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`builder: no section ${name}`);
    return i + 1;
  };
  const symbols: WSymbol[] = spec.symbols.map(({ section, ...s }) => ({
    ...s, shndx: typeof section === 'string' ? indexOf(section) : (section ?? SHN_UNDEF),
  }));
  const symIndex = (ref: string | number): number => {
    if (typeof ref === 'number') return ref;
    const i = spec.symbols.findIndex((s) => s.name === ref);
    if (i < 0) throw new Error(`builder: no symbol ${ref}`);
    return i + 1;
  };
  const targets = [...new Set(spec.relocs.map((r) => r.target))];
  const symtabIndex = sections.length + targets.length + 1;
  for (const t of targets) {
    const entries = spec.relocs.filter((r) => r.target === t)
      .map((r) => ({ offset: r.offset, type: r.type, sym: symIndex(r.symbol), addend: r.addend ?? 0n }));
    sections.push({
      name: `.rela${t}`, type: SHT_RELA, flags: SHF_INFO_LINK, data: relaBytes(entries), link: symtabIndex,
      info: indexOf(t), entsize: 24, addralign: 8n,
    });
  }
  const built = buildElf({ sections, symbols });
  return {
    ...built, spec,
    shdr: (name) => {
      const i = built.index.get(name);
      if (i === undefined) throw new Error(`builder: no section ${name}`);
      return built.shoff + 64 * i;
    },
    symbolIndex: (name) => symIndex(name),
  };
}

// The "Xen" the base payload is built against (see fakeXen in the tests).
export const XEN_EXTRA_VERSION = 0xffff82d040234b20n;
export const PAYLOAD_BUILD_ID = Uint8Array.from({ length: 20 }, (_, i) => 0x10 + i);

/** func record (LIVEPATCH_FUNC, version 2); pointers are filled by relocations. */
export function funcRecord(f: { newSize?: number; oldSize?: number; version?: number; oldAddr?: bigint; expect?: number[] } = {}): Uint8Array {
  const F = LIVEPATCH_FUNC;
  const b = new Uint8Array(F.size);
  const v = new DataView(b.buffer);
  v.setBigUint64(F.oldAddr, f.oldAddr ?? 0n, true);
  v.setUint32(F.newSize, f.newSize ?? 16, true);
  v.setUint32(F.oldSize, f.oldSize ?? 12, true);
  b[F.version] = f.version ?? 2;
  b.set(f.expect ?? [], F.expect);
  return b;
}

/** Code of new_fn: `call xen_extra_version; lea msg(%rip),%rax; ret` (offsets 1 and 8 are relocated). */
export const NEW_FN = Uint8Array.of(
  0xe8, 0, 0, 0, 0, 0x48, 0x8d, 0x05, 0, 0, 0, 0, 0xc3, 0xcc, 0xcc, 0xcc,
);
export const STRINGS = new TextEncoder().encode('xen_extra_version\0Hello World\0');

/**
 * A minimal valid payload: one func (`xen_extra_version` -> `new_fn`, old_addr by relocation), the three
 * notes, a string section, and a data symbol. Every field is a plain value so tests can change it.
 * Section order: .text.new_fn, .rodata.str1.1, .livepatch.funcs, .note.gnu.build-id, .livepatch.depends,
 * .livepatch.xen_depends, then .rela.text.new_fn, .rela.livepatch.funcs, .symtab, .strtab, .shstrtab.
 */
export function baseSpec(): PayloadSpec {
  return {
    sections: [
      { name: '.text.new_fn', type: SHT_PROGBITS, flags: AX, data: NEW_FN, addralign: 16n },
      { name: '.rodata.str1.1', type: SHT_PROGBITS, flags: A | SHF_MERGE | SHF_STRINGS, data: STRINGS, addralign: 1n, entsize: 1 },
      { name: '.livepatch.funcs', type: SHT_PROGBITS, flags: WA, data: funcRecord(), addralign: 8n },
      { name: '.note.gnu.build-id', type: SHT_NOTE, flags: A, data: noteBytes('GNU', 3, PAYLOAD_BUILD_ID), addralign: 4n },
      { name: '.livepatch.depends', type: SHT_PROGBITS, flags: A, data: noteBytes('GNU', 3, XEN_BUILD_ID), addralign: 1n },
      { name: '.livepatch.xen_depends', type: SHT_PROGBITS, flags: A, data: noteBytes('GNU', 3, XEN_BUILD_ID), addralign: 1n },
    ],
    symbols: [
      { name: '', type: STT_SECTION, section: '.rodata.str1.1' },
      { name: '.LC0', type: 0, section: '.rodata.str1.1', value: 18n },
      { name: 'livepatch_xen_hello', type: STT_OBJECT, bind: STB_LOCAL, section: '.livepatch.funcs', size: 104 },
      { name: 'new_fn', type: STT_FUNC, bind: STB_GLOBAL, section: '.text.new_fn', size: 13 },
      { name: 'xen_extra_version', bind: STB_GLOBAL },
    ],
    relocs: [
      { target: '.text.new_fn', offset: 1n, type: R_X86_64_PLT32, symbol: 'xen_extra_version', addend: -4n },
      { target: '.text.new_fn', offset: 8n, type: R_X86_64_PC32, symbol: '', addend: 18n - 4n },
      { target: '.livepatch.funcs', offset: 0n, type: R_X86_64_64, symbol: '', addend: 0n },
      { target: '.livepatch.funcs', offset: 8n, type: R_X86_64_64, symbol: 'new_fn' },
      { target: '.livepatch.funcs', offset: 16n, type: R_X86_64_64, symbol: 'xen_extra_version' },
    ],
  };
}

export function section(spec: PayloadSpec, name: string): WSection {
  const s = spec.sections.find((x) => x.name === name);
  if (!s) throw new Error(`spec has no section ${name}`);
  return s;
}

/** Declares an undefined global (resolved against the fake Xen). */
export function addUndef(spec: PayloadSpec, name: string): void {
  if (!spec.symbols.some((s) => s.name === name)) spec.symbols.push({ name, bind: STB_GLOBAL });
}

export function dropReloc(spec: PayloadSpec, target: string, offset: bigint): void {
  spec.relocs = spec.relocs.filter((r) => !(r.target === target && r.offset === offset));
}

/** Points funcs[0].old_addr at an undefined symbol `name` instead of xen_extra_version. */
export function oldAddrTo(spec: PayloadSpec, name: string): void {
  addUndef(spec, name);
  const r = spec.relocs.find((x) => x.target === '.livepatch.funcs' && x.offset === 16n)!;
  r.symbol = name;
}

/** Makes funcs[0] a NOP patch (no new_addr). */
export function nopFunc(spec: PayloadSpec, f: Parameters<typeof funcRecord>[0]): void {
  dropReloc(spec, '.livepatch.funcs', 8n);
  section(spec, '.livepatch.funcs').data = funcRecord(f);
}

export interface AltEntry {
  /** Offset of the patch site in `.text.new_fn`. */
  orig: number;
  /** Offset of the replacement in `.altinstr_replacement`. */
  repl: number;
  cpuid: number;
  origLen: number;
  replLen: number;
  padLen: number;
  priv?: number;
}

/** Adds `.altinstr_replacement` (AX) and `.altinstructions` (A) with PC32-relocated offsets, as gas emits them. */
export function addAlternatives(spec: PayloadSpec, replacement: Uint8Array, entries: AltEntry[], text = '.text.new_fn'): void {
  spec.sections.push({ name: '.altinstr_replacement', type: SHT_PROGBITS, flags: AX, data: replacement, addralign: 1n });
  const R = ALT_INSTR;
  const data = new Uint8Array(R.size * entries.length);
  const v = new DataView(data.buffer);
  entries.forEach((e, i) => {
    v.setUint16(R.size * i + R.cpuid, e.cpuid, true);
    data.set([e.origLen, e.replLen, e.padLen, e.priv ?? 0], R.size * i + R.origLen);
  });
  spec.sections.push({ name: '.altinstructions', type: SHT_PROGBITS, flags: A, data, addralign: 1n });
  spec.symbols.unshift({ name: 'alt_text', section: text }, { name: 'alt_repl', section: '.altinstr_replacement' });
  entries.forEach((e, i) => {
    spec.relocs.push({ target: '.altinstructions', offset: BigInt(R.size * i + R.origOffset), type: R_X86_64_PC32, symbol: 'alt_text', addend: BigInt(e.orig) });
    spec.relocs.push({ target: '.altinstructions', offset: BigInt(R.size * i + R.replOffset), type: R_X86_64_PC32, symbol: 'alt_repl', addend: BigInt(e.repl) });
  });
}

/** Adds `.ex_table` entries {fault, fixup} given as offsets in `.text.new_fn`. */
export function addExTable(spec: PayloadSpec, entries: [number, number][]): void {
  spec.sections.push({ name: '.ex_table', type: SHT_PROGBITS, flags: A, data: new Uint8Array(8 * entries.length), addralign: 4n });
  if (!spec.symbols.some((s) => s.name === 'ex_text')) spec.symbols.unshift({ name: 'ex_text', section: '.text.new_fn' });
  entries.forEach(([fault, fixup], i) => {
    spec.relocs.push({ target: '.ex_table', offset: BigInt(8 * i), type: R_X86_64_PC32, symbol: 'ex_text', addend: BigInt(fault) });
    spec.relocs.push({ target: '.ex_table', offset: BigInt(8 * i + 4), type: R_X86_64_PC32, symbol: 'ex_text', addend: BigInt(fixup) });
  });
}

/** The base payload with `change`, linked for a running image with this build-id (in both depends notes). */
export function payloadFor(xenBuildId: Uint8Array, change: (s: PayloadSpec) => void): Uint8Array {
  const s = baseSpec();
  section(s, '.livepatch.depends').data = noteBytes('GNU', 3, xenBuildId);
  section(s, '.livepatch.xen_depends').data = noteBytes('GNU', 3, xenBuildId);
  change(s);
  return buildPayload(s).bytes;
}

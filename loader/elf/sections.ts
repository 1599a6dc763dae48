import { PHDR_SIZE, SHDR_SIZE, SHN_UNDEF, SHT_NOBITS, SHT_STRTAB } from './constants.ts';
import { ElfError, hex } from './errors.ts';
import { E_PHENTSIZE, E_PHOFF, E_SHENTSIZE, E_SHOFF, E_SHSTRNDX, checkTable, type ElfHeader } from './header.ts';
import { ByteReader } from './reader.ts';

export interface SectionHeader {
  index: number;
  name: string;
  nameOffset: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: bigint;
  entsize: number;
  /** File offset of this Elf64_Shdr record. */
  headerOffset: number;
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  align: bigint;
}

/**
 * Raw section headers with names resolved leniently: when e_shstrndx does not
 * name a usable string table, or a name is out of range/unterminated, the name
 * is "" (nameOffset is kept so callers can apply their own rules, as Xen does).
 * Throws ElfError only if the table itself is unreadable.
 */
export function readSectionHeaders(bytes: Uint8Array, h: ElfHeader): SectionHeader[] {
  const r = new ByteReader(bytes);
  const sections = readRaw(r, h);
  const strtab = sections[h.shstrndx];
  if (h.shstrndx !== SHN_UNDEF && strtab && strtab.type !== SHT_NOBITS && r.fits(strtab.offset, strtab.size)) {
    const end = strtab.offset + strtab.size;
    for (const s of sections) {
      if (s.nameOffset < strtab.size) s.name = r.tryCstring(strtab.offset + s.nameOffset, end) ?? '';
    }
  }
  return sections;
}

/**
 * Strict variant used by ElfFile: e_shstrndx must be SHN_UNDEF or name an
 * in-file STRTAB, and every sh_name must be a terminated string inside it.
 */
export function readSectionHeadersStrict(r: ByteReader, h: ElfHeader): SectionHeader[] {
  const sections = readRaw(r, h);
  if (h.shstrndx === SHN_UNDEF) return sections;
  const strtab = sections[h.shstrndx];
  if (!strtab) {
    throw new ElfError(`e_shstrndx ${h.shstrndx} out of range (e_shnum ${h.shnum})`, E_SHSTRNDX);
  }
  if (strtab.type !== SHT_STRTAB) {
    throw new ElfError(`e_shstrndx ${h.shstrndx}: section type ${strtab.type} is not SHT_STRTAB`, strtab.headerOffset);
  }
  checkSectionData(r, strtab);
  const end = strtab.offset + strtab.size;
  for (const s of sections) {
    if (s.nameOffset >= strtab.size) {
      throw new ElfError(
        `section header ${s.index}: sh_name ${hex(s.nameOffset)} beyond section name table (size ${hex(strtab.size)})`,
        s.headerOffset);
    }
    s.name = r.cstring(strtab.offset + s.nameOffset, end, `section header ${s.index} name`);
  }
  return sections;
}

function readRaw(r: ByteReader, h: ElfHeader): SectionHeader[] {
  checkTable(r, h.shoff, h.shnum, h.shentsize, SHDR_SIZE, 'section header table', E_SHOFF, E_SHENTSIZE);
  const out: SectionHeader[] = new Array(h.shnum);
  for (let i = 0; i < h.shnum; i++) {
    const o = h.shoff + i * h.shentsize;
    out[i] = {
      index: i,
      name: '',
      nameOffset: r.u32(o, 'sh_name'),
      type: r.u32(o + 4, 'sh_type'),
      flags: r.u64(o + 8, 'sh_flags'),
      addr: r.u64(o + 16, 'sh_addr'),
      offset: r.u64n(o + 24, 'sh_offset'),
      size: r.u64n(o + 32, 'sh_size'),
      link: r.u32(o + 40, 'sh_link'),
      info: r.u32(o + 44, 'sh_info'),
      addralign: r.u64(o + 48, 'sh_addralign'),
      entsize: r.u64n(o + 56, 'sh_entsize'),
      headerOffset: o,
    };
  }
  return out;
}

/** Section contents must lie inside the file (SHT_NOBITS occupies none). */
export function checkSectionData(r: ByteReader, s: SectionHeader): void {
  if (s.type === SHT_NOBITS || r.fits(s.offset, s.size)) return;
  throw new ElfError(
    `section header ${s.index}${s.name ? ` (${s.name})` : ''}: sh_offset+sh_size (${hex(s.offset + s.size)}) ` +
    `beyond end of file (${hex(r.length)})`, s.headerOffset);
}

export function readProgramHeaders(r: ByteReader, h: ElfHeader): ProgramHeader[] {
  checkTable(r, h.phoff, h.phnum, h.phentsize, PHDR_SIZE, 'program header table', E_PHOFF, E_PHENTSIZE);
  const out: ProgramHeader[] = new Array(h.phnum);
  for (let i = 0; i < h.phnum; i++) {
    const o = programHeaderOffset(h, i);
    out[i] = {
      type: r.u32(o, 'p_type'),
      flags: r.u32(o + 4, 'p_flags'),
      offset: r.u64n(o + 8, 'p_offset'),
      vaddr: r.u64(o + 16, 'p_vaddr'),
      paddr: r.u64(o + 24, 'p_paddr'),
      filesz: r.u64n(o + 32, 'p_filesz'),
      memsz: r.u64n(o + 40, 'p_memsz'),
      align: r.u64(o + 48, 'p_align'),
    };
  }
  return out;
}

export function programHeaderOffset(h: ElfHeader, i: number): number {
  return h.phoff + i * h.phentsize;
}

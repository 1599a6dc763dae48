import { SHT_STRTAB, STT_FILE, SYM_SIZE } from './constants.ts';
import { ElfError, hex } from './errors.ts';
import type { ByteReader } from './reader.ts';
import { checkSectionData, type SectionHeader } from './sections.ts';

export interface ElfSymbol {
  index: number;
  name: string;
  value: bigint;
  size: number;
  type: number;
  bind: number;
  visibility: number;
  shndx: number;
  /**
   * Name of the nearest preceding STT_FILE symbol (an STT_FILE symbol carries
   * its own name); undefined before the first one. This is how Xen's symbol
   * table names statics `<file>#<name>`.
   */
  file: string | undefined;
}

/** Checks a symbol table's geometry; returns its entry count. */
export function symbolCount(r: ByteReader, symtab: SectionHeader): number {
  if (symtab.entsize < SYM_SIZE) {
    throw new ElfError(
      `section header ${symtab.index} (${symtab.name}): sh_entsize ${symtab.entsize} is smaller than ${SYM_SIZE}`,
      symtab.headerOffset);
  }
  if (symtab.size % symtab.entsize !== 0) {
    throw new ElfError(
      `section header ${symtab.index} (${symtab.name}): sh_size ${hex(symtab.size)} is not a multiple of sh_entsize ${symtab.entsize}`,
      symtab.headerOffset);
  }
  checkSectionData(r, symtab);
  return symtab.size / symtab.entsize;
}

/** The string table linked from `sec` (symtab.sh_link), validated. */
export function linkedStrtab(r: ByteReader, sections: SectionHeader[], sec: SectionHeader): SectionHeader {
  const strtab = sec.link === 0 ? undefined : sections[sec.link];
  if (!strtab) {
    throw new ElfError(
      `section header ${sec.index} (${sec.name}): sh_link ${sec.link} is not a valid string table index (e_shnum ${sections.length})`,
      sec.headerOffset);
  }
  if (strtab.type !== SHT_STRTAB) {
    throw new ElfError(
      `section header ${sec.index} (${sec.name}): sh_link ${sec.link} names a section of type ${strtab.type}, not SHT_STRTAB`,
      sec.headerOffset);
  }
  checkSectionData(r, strtab);
  return strtab;
}

/** All entries of `symtab`, including the null entry 0. */
export function readSymbols(r: ByteReader, sections: SectionHeader[], symtab: SectionHeader): ElfSymbol[] {
  const n = symbolCount(r, symtab);
  const strtab = linkedStrtab(r, sections, symtab);
  const strEnd = strtab.offset + strtab.size;
  const out: ElfSymbol[] = new Array(n);
  let file: string | undefined;
  for (let i = 0; i < n; i++) {
    const o = symtab.offset + i * symtab.entsize;
    const nameOffset = r.u32(o, 'st_name');
    const info = r.u8(o + 4, 'st_info');
    const other = r.u8(o + 5, 'st_other');
    const shndx = r.u16(o + 6, 'st_shndx');
    // st_name 0 means "no name" (gABI), whatever the string table holds.
    if (nameOffset !== 0 && nameOffset >= strtab.size) {
      throw new ElfError(
        `symbol ${i}: st_name ${hex(nameOffset)} beyond string table ${strtab.index} (size ${hex(strtab.size)})`, o);
    }
    const name = nameOffset === 0 ? '' : r.cstring(strtab.offset + nameOffset, strEnd, `symbol ${i} name`);
    const type = info & 0xf;
    if (type === STT_FILE) file = name;
    out[i] = {
      index: i,
      name,
      value: r.u64(o + 8, 'st_value'),
      size: r.u64n(o + 16, 'st_size'),
      type,
      bind: info >> 4,
      visibility: other & 3,
      shndx,
      file,
    };
  }
  return out;
}

import { SHT_STRTAB, STT_FILE, SYM_SIZE } from './constants.ts';
import { ElfError, hex } from './errors.ts';
import { type ByteReader, StringTableText } from './reader.ts';
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
  const out: ElfSymbol[] = [];
  visitSymbols(r, sections, symtab, (s) => void out.push({ ...s }));
  return out;
}

/**
 * Every entry of `symtab` in order, handed to `fn` in one record that is reused for the next entry (copy what
 * you keep): an image's thousands of symbols cost no object each.
 */
export function visitSymbols(r: ByteReader, sections: SectionHeader[], symtab: SectionHeader, fn: (s: Readonly<ElfSymbol>) => void): void {
  const n = symbolCount(r, symtab);
  const strtab = linkedStrtab(r, sections, symtab);
  // Both sections were checked to lie inside the file: read them directly (this runs for every image symbol).
  const names = new StringTableText(r.bytes, strtab.offset, strtab.offset + strtab.size);
  const v = new DataView(r.bytes.buffer, r.bytes.byteOffset + symtab.offset, symtab.size);
  const s: ElfSymbol = { index: 0, name: '', value: 0n, size: 0, type: 0, bind: 0, visibility: 0, shndx: 0, file: undefined };
  for (let i = 0; i < n; i++) {
    const o = i * symtab.entsize;
    const nameOffset = v.getUint32(o, true);
    const info = v.getUint8(o + 4);
    // st_name 0 means "no name" (gABI), whatever the string table holds.
    if (nameOffset !== 0 && nameOffset >= strtab.size) {
      throw new ElfError(
        `symbol ${i}: st_name ${hex(nameOffset)} beyond string table ${strtab.index} (size ${hex(strtab.size)})`, symtab.offset + o);
    }
    const name = nameOffset === 0 ? '' : names.at(nameOffset);
    if (name === undefined) {
      throw new ElfError(`symbol ${i} name: unterminated string (no NUL before ${hex(strtab.offset + strtab.size)})`, strtab.offset + nameOffset);
    }
    s.index = i;
    s.name = name;
    s.type = info & 0xf;
    if (s.type === STT_FILE) s.file = name;
    s.value = v.getBigUint64(o + 8, true);
    s.size = v.getUint32(o + 16, true) + v.getUint32(o + 20, true) * 0x1_0000_0000;
    s.bind = info >> 4;
    s.visibility = v.getUint8(o + 5) & 3;
    s.shndx = v.getUint16(o + 6, true);
    fn(s);
  }
}

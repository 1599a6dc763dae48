import { RELA_SIZE, SHT_DYNSYM, SHT_RELA, SHT_SYMTAB } from './constants.ts';
import { ElfError, hex } from './errors.ts';
import type { ByteReader } from './reader.ts';
import { checkSectionData, type SectionHeader } from './sections.ts';
import { symbolCount } from './symbols.ts';

export interface RelaEntry {
  offset: bigint;
  type: number;
  sym: number;
  addend: bigint;
}

/**
 * Entries of an SHT_RELA section. Structure is validated (type, entsize 24,
 * size multiple, data in file, sh_link names a symbol table, every r_sym
 * inside it); what a relocation type means is left to the caller.
 */
export function readRela(r: ByteReader, sections: SectionHeader[], s: SectionHeader): RelaEntry[] {
  const where = `section header ${s.index}${s.name ? ` (${s.name})` : ''}`;
  if (s.type !== SHT_RELA) throw new ElfError(`${where}: type ${s.type} is not SHT_RELA`, s.headerOffset);
  if (s.entsize !== RELA_SIZE) {
    throw new ElfError(`${where}: sh_entsize ${s.entsize} is not ${RELA_SIZE}`, s.headerOffset);
  }
  if (s.size % RELA_SIZE !== 0) {
    throw new ElfError(`${where}: sh_size ${hex(s.size)} is not a multiple of ${RELA_SIZE}`, s.headerOffset);
  }
  checkSectionData(r, s);
  const symtab = s.link === 0 ? undefined : sections[s.link];
  if (!symtab || (symtab.type !== SHT_SYMTAB && symtab.type !== SHT_DYNSYM)) {
    throw new ElfError(`${where}: sh_link ${s.link} does not name a symbol table`, s.headerOffset);
  }
  const nsyms = symbolCount(r, symtab);
  const n = s.size / RELA_SIZE;
  const out: RelaEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = s.offset + i * RELA_SIZE;
    const type = r.u32(o + 8, 'r_info');
    const sym = r.u32(o + 12, 'r_info');
    if (sym >= nsyms) {
      throw new ElfError(`${where}: relocation ${i}: symbol index ${sym} out of range (${nsyms} symbols)`, o);
    }
    out[i] = { offset: r.u64(o, 'r_offset'), type, sym, addend: r.i64(o + 16, 'r_addend') };
  }
  return out;
}

// The payload ELF as livepatch_elf_load leaves it: raw section headers (u64 fields kept as bigint, so Xen's
// 64-bit arithmetic can be reproduced), names, and the symbol table.
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import { RELA_SIZE, SHF_ALLOC, SHT_NOBITS } from '../../elf/constants.ts';

export interface Section {
  index: number;
  /** "" until step (b) resolves names. */
  name: string;
  nameOffset: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

export interface RawSymbol {
  index: number;
  name: string;
  /** File offset of the name in the string table (build_symbol_table truncates names there). */
  nameAt: number;
  value: bigint;
  size: bigint;
  type: number;
  bind: number;
  shndx: number;
}

export interface ElfModel {
  bytes: Uint8Array;
  shnum: number;
  shstrndx: number;
  /** Index 0 is present but, as in Xen, never examined. */
  sections: Section[];
  symtab: Section;
  strtab: Section;
  /** Index 0 is the null symbol (skipped everywhere). */
  symbols: RawSymbol[];
}

export const isAlloc = (s: Section): boolean => (s.flags & SHF_ALLOC) !== 0n;

export function describe(s: Section): string {
  return `section ${s.index}${s.name ? ` (${s.name})` : ''}`;
}

/** livepatch_elf_sec_by_name: the first section (any flags) with that exact name. */
export function findSection(elf: ElfModel, name: string): Section | undefined {
  for (let i = 1; i < elf.shnum; i++) if (elf.sections[i]!.name === name) return elf.sections[i];
  return undefined;
}

/**
 * A section's bytes in the file. Xen's range check (sh_offset + sh_size in u64) can wrap and pass for data that
 * is not in the file; Xen would then read past the payload, we refuse instead.
 */
export function fileData(bytes: Uint8Array, s: Section): Uint8Array {
  if (s.type === SHT_NOBITS) return new Uint8Array(0);
  const end = s.offset + s.size;
  if (end > BigInt(bytes.length)) {
    fail(Errno.EINVAL, `${describe(s)}: sh_offset ${hex(s.offset)} + sh_size ${hex(s.size)} wraps past the ` +
      `end of the payload (${hex(bytes.length)} bytes); Xen 4.17 would read beyond it`);
  }
  return bytes.subarray(Number(s.offset), Number(end));
}

/**
 * Each whole Elf64_Rela entry of `rela` (every sh_entsize bytes; r_info has the type in its low half and the
 * symbol index in its high half): what upload's relocation and lint's reference reading both walk.
 */
export function forEachRela(elf: ElfModel, rela: Section,
  fn: (index: number, offset: bigint, type: number, symbol: number, addend: bigint) => void): void {
  const data = fileData(elf.bytes, rela);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stride = Number(rela.entsize);
  for (let k = 0, o = 0; o + RELA_SIZE <= data.length; k++, o += stride) {
    fn(k, v.getBigUint64(o, true), v.getUint32(o + 8, true), v.getUint32(o + 12, true), v.getBigInt64(o + 16, true));
  }
}

// elf_resolve_sections + elf_resolve_section_names (spec §2.3), in Xen's order.
import { EHDR_SIZE, SHF_ALLOC, SHF_WRITE, SHT_NOBITS, SHT_STRTAB, SHT_SYMTAB, SYM_SIZE } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import type { ElfHeader } from '../../elf/header.ts';
import { ByteReader, decodeString } from '../../elf/reader.ts';
import { readSectionHeaders } from '../../elf/sections.ts';
import { Errno, fail } from '../errno.ts';
import { LIVEPATCH_MAX_SIZE } from '../../abi.ts';
import { describe, fileData, type Section } from './model.ts';

export interface CheckedSections {
  sections: Section[];
  symtab: Section;
  strtab: Section;
}

/** Reads and checks the section headers, then names them. */
export function checkSections(bytes: Uint8Array, h: ElfHeader): CheckedSections {
  const r = new ByteReader(bytes);
  // readSectionHeaders turns u64 fields into numbers; re-read the ones Xen does 64-bit arithmetic on.
  const sections: Section[] = readSectionHeaders(bytes, h).map((s) => ({
    index: s.index, name: '', nameOffset: s.nameOffset, type: s.type, flags: s.flags, addr: s.addr,
    offset: r.u64(s.headerOffset + 24, 'sh_offset'), size: r.u64(s.headerOffset + 32, 'sh_size'),
    link: s.link, info: s.info, addralign: s.addralign, entsize: r.u64(s.headerOffset + 56, 'sh_entsize'),
  }));
  const len = BigInt(bytes.length);
  let symtab: Section | undefined;
  for (let i = 1; i < h.shnum; i++) {
    const s = sections[i]!;
    const where = describe(s);
    if (s.offset < BigInt(EHDR_SIZE)) fail(Errno.EINVAL, `${where}: sh_offset ${hex(s.offset)} is inside the ELF header`);
    if (s.type !== SHT_NOBITS && (s.offset > len || BigInt.asUintN(64, s.offset + s.size) > len)) {
      fail(Errno.EINVAL, `${where}: data (${hex(s.size)} bytes at ${hex(s.offset)}) past the end of the payload ` +
        `(${hex(len)} bytes)`);
    }
    if ((s.addralign & (s.addralign - 1n)) !== 0n) {
      fail(Errno.EOPNOTSUPP, `${where}: sh_addralign ${hex(s.addralign)} is not a power of two`);
    }
    if (s.addralign !== 0n && s.addr % s.addralign !== 0n) {
      fail(Errno.EINVAL, `${where}: sh_addr ${hex(s.addr)} is not aligned to sh_addralign ${hex(s.addralign)}`);
    }
    if ((s.flags & (SHF_WRITE | SHF_ALLOC)) !== 0n && s.type === SHT_NOBITS && s.size > BigInt(LIVEPATCH_MAX_SIZE)) {
      fail(Errno.EINVAL, `${where}: NOBITS size ${hex(s.size)} exceeds LIVEPATCH_MAX_SIZE`);
    }
    if (s.type === SHT_SYMTAB) {
      if (symtab) fail(Errno.EOPNOTSUPP, `${where}: second symbol table (first is section ${symtab.index})`);
      symtab = s;
      if (s.link >= h.shnum) fail(Errno.EINVAL, `${where}: sh_link ${s.link} (string table) >= e_shnum ${h.shnum}`);
    }
  }
  if (!symtab) fail(Errno.EINVAL, 'no symbol table (SHT_SYMTAB) found');
  if (symtab.size === 0n || symtab.entsize < BigInt(SYM_SIZE) || symtab.size % symtab.entsize !== 0n) {
    fail(Errno.EINVAL, `${describe(symtab)}: symbol table header is corrupted (sh_size ${hex(symtab.size)}, ` +
      `sh_entsize ${symtab.entsize})`);
  }
  // Xen indexes sec[sh_link] unchecked; section 0 has no header there (NULL dereference).
  if (symtab.link === 0) fail(Errno.EINVAL, `${describe(symtab)}: sh_link is 0 (no string table)`);
  const strtab = sections[symtab.link]!;
  verifyStrtab(bytes, strtab, 'string table');

  const shstrtab = sections[h.shstrndx]!;
  verifyStrtab(bytes, shstrtab, 'section name table');
  const names = fileData(bytes, shstrtab);
  for (let i = 1; i < h.shnum; i++) {
    const s = sections[i]!;
    if (s.nameOffset !== 0 && BigInt(s.nameOffset) >= shstrtab.size) {
      fail(Errno.EINVAL, `section ${i}: sh_name ${hex(s.nameOffset)} is not within the section name table ` +
        `(size ${hex(shstrtab.size)})`);
    }
    s.name = decodeString(names, s.nameOffset, names.indexOf(0, s.nameOffset));
  }
  return { sections, symtab, strtab };
}

/** elf_verify_strtab: STRTAB, non-empty, first and last byte NUL. */
function verifyStrtab(bytes: Uint8Array, s: Section, what: string): void {
  const where = `${what} ${describe(s)}`;
  if (s.type !== SHT_STRTAB) fail(Errno.EINVAL, `${where} is corrupted: type ${s.type} is not SHT_STRTAB`);
  if (s.size === 0n) fail(Errno.EINVAL, `${where} is corrupted: empty`);
  const data = fileData(bytes, s);
  if (data[0] !== 0 || data[data.length - 1] !== 0) {
    fail(Errno.EINVAL, `${where} is corrupted: first and last byte must be NUL`);
  }
}

// Step (b), livepatch_elf_load: header, section headers, section names, symbols (spec §2.2-2.3).
import type { LivepatchArch } from '../../arch/types.ts';
import { ElfError } from '../../elf/errors.ts';
import { Errno, LivepatchError } from '../errno.ts';
import { checkHeader } from './elf-header.ts';
import { checkSections } from './elf-sections.ts';
import { readSymbols } from './elf-symbols.ts';
import type { ElfModel } from './model.ts';

export function loadElf(bytes: Uint8Array, arch: LivepatchArch): ElfModel {
  try {
    const h = checkHeader(bytes, arch);
    const { sections, symtab, strtab } = checkSections(bytes, h);
    return {
      bytes, shnum: h.shnum, shstrndx: h.shstrndx, sections, symtab, strtab,
      symbols: readSymbols(bytes, symtab, strtab),
    };
  } catch (e) {
    // Our checks run first, so the reader only objects to what Xen would also refuse as malformed.
    if (e instanceof ElfError) throw new LivepatchError(Errno.EINVAL, `malformed ELF: ${e.message}`);
    throw e;
  }
}

// Step (e), livepatch_elf_perform_relocs (spec §2.6): which relocation sections apply and the checks of their
// headers; each entry is the architecture's (arch_livepatch_perform_rela), at final load addresses.
import { RELA_SIZE, REL_SIZE, SHT_REL, SHT_RELA } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import type { LivepatchArch } from '../../arch/types.ts';
import { Errno, fail } from '../errno.ts';
import type { Layout } from './layout.ts';
import { describe, type ElfModel } from './model.ts';
import type { ResolvedSymbols } from './resolve.ts';

export function performRelocations(elf: ElfModel, layout: Layout, syms: ResolvedSymbols, arch: LivepatchArch): void {
  for (let i = 1; i < elf.shnum; i++) {
    const r = elf.sections[i]!;
    if (r.type !== SHT_RELA && r.type !== SHT_REL) continue;
    if (r.info >= elf.shnum) continue;
    // Xen would look at sec[0], which has no header (NULL dereference).
    if (r.info === 0) fail(Errno.EINVAL, `${describe(r)}: sh_info 0 names no section to relocate`);
    const target = elf.sections[r.info]!;
    const base = layout.address[r.info];
    if (base === undefined) continue;
    if (r.link !== elf.symtab.index) {
      fail(Errno.EINVAL, `${describe(r)}: sh_link ${r.link} is not the symbol table (${elf.symtab.index})`);
    }
    if (r.size === 0n) continue;
    const entsize = r.type === SHT_RELA ? RELA_SIZE : REL_SIZE;
    if (r.entsize < BigInt(entsize) || r.size % r.entsize !== 0n) {
      fail(Errno.EINVAL, `${describe(r)}: relocation section header is corrupted (sh_size ${hex(r.size)}, ` +
        `sh_entsize ${r.entsize})`);
    }
    if (r.type === SHT_REL) fail(Errno.EOPNOTSUPP, `${describe(r)}: SHT_REL relocations are not supported`);
    arch.performRela({ elf, layout, syms, rela: r, target, base });
  }
}

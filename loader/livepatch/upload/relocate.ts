// Step (e), livepatch_elf_perform_relocs + x86 arch_livepatch_perform_rela (spec §2.6), applied at final
// load addresses in the image.
import {
  R_X86_64_64, R_X86_64_NONE, R_X86_64_PC32, R_X86_64_PLT32, RELA_SIZE, REL_SIZE, SHT_REL, SHT_RELA,
} from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import type { Layout } from './layout.ts';
import { describe, fileData, type ElfModel, type Section } from './model.ts';
import type { ResolvedSymbols } from './resolve.ts';

export function performRelocations(elf: ElfModel, layout: Layout, syms: ResolvedSymbols): void {
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
    applyRela(elf, layout, syms, r, target, base);
  }
}

function applyRela(
  elf: ElfModel, layout: Layout, syms: ResolvedSymbols, rela: Section, target: Section, base: bigint,
): void {
  const data = fileData(elf.bytes, rela);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stride = Number(rela.entsize);
  const n = data.length / stride;
  for (let k = 0; k < n; k++) {
    const o = k * stride;
    const offset = v.getBigUint64(o, true);
    const type = v.getUint32(o + 8, true);
    const symndx = v.getUint32(o + 12, true);
    const addend = v.getBigInt64(o + 16, true);
    const where = `${describe(rela)} entry ${k} (offset ${hex(offset)} in ${describe(target)})`;
    if (symndx === 0) fail(Errno.EOPNOTSUPP, `${where}: relocation against STN_UNDEF`);
    if (symndx >= elf.symbols.length) {
      fail(Errno.EINVAL, `${where}: symbol ${symndx} is past the end of the symbol table (${elf.symbols.length})`);
    }
    const sym = elf.symbols[symndx]!;
    if (syms.ignored[symndx]) {
      fail(Errno.EINVAL, `${where}: symbol "${sym.name}" is in a section that is not loaded`);
    }
    const val = BigInt.asUintN(64, addend + syms.value[symndx]!);
    const dest = base + offset;
    const fits = (width: bigint): void => {
      if (offset >= target.size || offset + width > target.size) {
        fail(Errno.EINVAL, `${where}: offset is past the end of the section (size ${hex(target.size)})`);
      }
    };
    switch (type) {
      case R_X86_64_NONE:
        break;
      case R_X86_64_64:
        fits(8n);
        layout.memory.writeU64(dest, val);
        break;
      case R_X86_64_PLT32: // Xen treats PLT32 exactly like PC32 (no PLT exists).
      case R_X86_64_PC32: {
        fits(4n);
        const rel = BigInt.asUintN(64, val - dest);
        const s32 = BigInt.asIntN(32, rel);
        const word = new Uint8Array(4);
        new DataView(word.buffer).setInt32(0, Number(s32), true);
        layout.memory.write(dest, word);
        if (BigInt.asIntN(64, rel) !== s32) {
          fail(Errno.EOVERFLOW, `${where}: ${type === R_X86_64_PC32 ? 'R_X86_64_PC32' : 'R_X86_64_PLT32'} to ` +
            `"${sym.name}" (${hex(BigInt.asIntN(64, rel))}) does not fit in 32 bits`);
        }
        break;
      }
      default:
        fail(Errno.EOPNOTSUPP, `${where}: unsupported relocation type ${type} against "${sym.name}"`);
    }
  }
}

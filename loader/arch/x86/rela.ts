// x86 arch_livepatch_perform_rela (spec §2.6): R_X86_64_{NONE,64,PC32,PLT32} at final load addresses, bounds
// against the target's sh_size, PC32 overflow -> -EOVERFLOW, anything else -> -EOPNOTSUPP.
import { R_X86_64_64, R_X86_64_NONE, R_X86_64_PC32, R_X86_64_PLT32 } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../../livepatch/errno.ts';
import { describe, forEachRela } from '../../livepatch/upload/model.ts';
import type { RelaJob } from '../types.ts';

export function performRela({ elf, layout, syms, rela, target, base }: RelaJob): void {
  forEachRela(elf, rela, (k, offset, type, symndx, addend) => {
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
  });
}

// x86 arch_livepatch_verify_elf and arch_livepatch_verify_func (spec §1.3, §2.2).
// Deliberate differences (docs/differences.md): a NOP entry with new_size < 4 on a function starting with
// ENDBR64/poison (apply would memcpy a wrapped length, #14) and an unmapped old_addr (Xen faults) -> -EINVAL.
import { LIVEPATCH_OPAQUE_SIZE } from '../../abi.ts';
import { EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, EM_X86_64 } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../../livepatch/errno.ts';
import type { FuncToVerify } from '../types.ts';
import { ENDBR64_LEN, isEndbr64 } from './endbr.ts';
import { ARCH_PATCH_INSN_SIZE } from './trampoline.ts';

export function verifyElf(bytes: Uint8Array): void {
  const machine = bytes[0x12]! | (bytes[0x13]! << 8);
  if (machine !== EM_X86_64) fail(Errno.EOPNOTSUPP, `unsupported ELF machine ${machine} (not EM_X86_64)`);
  if (bytes[EI_CLASS] !== ELFCLASS64) fail(Errno.EOPNOTSUPP, `unsupported EI_CLASS ${bytes[EI_CLASS]} (not ELFCLASS64)`);
  if (bytes[EI_DATA] !== ELFDATA2LSB) fail(Errno.EOPNOTSUPP, `unsupported EI_DATA ${bytes[EI_DATA]} (not little-endian)`);
}

/** arch_livepatch_verify_func, plus a refusal where the later apply would underflow. */
export function verifyFunc(
  f: FuncToVerify, read: (address: bigint, length: number) => Uint8Array | undefined, where: string,
): void {
  const { newAddr, oldAddr, newSize, oldSize } = f;
  if (newAddr === 0n) {
    if (newSize > LIVEPATCH_OPAQUE_SIZE) {
      fail(Errno.EOPNOTSUPP, `${where}: NOP new_size ${newSize} > ${LIVEPATCH_OPAQUE_SIZE}`);
    }
    if (oldSize < newSize) fail(Errno.EINVAL, `${where}: NOP new_size ${newSize} > old_size ${oldSize}`);
    // Xen does not look at old_addr here, but apply NOPs new_size - 4 (unsigned) bytes after an ENDBR64.
    if (newSize < ENDBR64_LEN && isEndbr64(read(oldAddr, ENDBR64_LEN))) {
      fail(Errno.EINVAL, `${where}: NOP new_size ${newSize} < ${ENDBR64_LEN} at ${hex(oldAddr)}, which starts ` +
        'with ENDBR64 (Xen 4.17 would underflow the NOP length at apply)');
    }
    return;
  }
  const head = read(oldAddr, ENDBR64_LEN);
  if (!head) fail(Errno.EINVAL, `${where}: old_addr ${hex(oldAddr)} is not mapped (Xen 4.17 would fault)`);
  const needed = ARCH_PATCH_INSN_SIZE + (isEndbr64(head) ? ENDBR64_LEN : 0);
  if (oldSize < needed) {
    fail(Errno.EINVAL, `${where}: old_size ${oldSize} < ${needed} bytes needed for the jump` +
      `${needed > ARCH_PATCH_INSN_SIZE ? ' after ENDBR64' : ''}`);
  }
}

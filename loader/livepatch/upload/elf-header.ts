// livepatch_header_check + arch_livepatch_verify_elf (spec §2.2), in Xen's order.
import type { LivepatchArch } from '../../arch/types.ts';
import {
  EHDR_SIZE, ELFMAG, ELFOSABI_FREEBSD, ELFOSABI_NONE, EI_ABIVERSION, EI_OSABI, EI_VERSION, ET_REL, EV_CURRENT,
  SHDR_SIZE,
} from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { parseHeader, type ElfHeader } from '../../elf/header.ts';
import { ByteReader } from '../../elf/reader.ts';
import { Errno, fail } from '../errno.ts';
import { MAX_SECTIONS } from './constants.ts';

export function checkHeader(bytes: Uint8Array, arch: LivepatchArch): ElfHeader {
  if (bytes.length < EHDR_SIZE) {
    fail(Errno.EINVAL, `payload is ${bytes.length} bytes, smaller than the ${EHDR_SIZE}-byte ELF header`);
  }
  if (ELFMAG.some((b, i) => bytes[i] !== b)) fail(Errno.EINVAL, 'not an ELF payload (bad magic)');

  // Read the fields raw: parseHeader would refuse a wrong class/byte order before Xen's own checks run.
  // (Header fields up to e_phnum sit at the same offsets in ELF32 and ELF64 only up to e_type/e_machine; Xen reads
  // them as Elf64_Ehdr whatever the class, and so do we.)
  const r = new ByteReader(bytes);
  const unsupported: (what: string) => never = (what) => fail(Errno.EOPNOTSUPP, `invalid ELF payload: ${what}`);
  const eVersion = r.u32(0x14, 'e_version');
  if (eVersion !== EV_CURRENT) unsupported(`e_version ${eVersion} is not EV_CURRENT`);
  if (bytes[EI_VERSION] !== EV_CURRENT) unsupported(`EI_VERSION ${bytes[EI_VERSION]} is not EV_CURRENT`);
  if (bytes[EI_ABIVERSION] !== 0) unsupported(`EI_ABIVERSION ${bytes[EI_ABIVERSION]} is not 0`);
  const osabi = bytes[EI_OSABI]!;
  if (osabi !== ELFOSABI_NONE && osabi !== ELFOSABI_FREEBSD) unsupported(`EI_OSABI ${osabi} is not NONE or FreeBSD`);
  const type = r.u16(0x10, 'e_type');
  if (type !== ET_REL) unsupported(`e_type ${type} is not ET_REL`);
  const phnum = r.u16(0x38, 'e_phnum');
  if (phnum !== 0) unsupported(`e_phnum ${phnum} is not 0`);

  arch.verifyElf(bytes);

  const h = parseHeader(bytes);
  const len = BigInt(bytes.length);
  const shoff = r.u64(0x28, 'e_shoff');
  if (h.shstrndx === 0) fail(Errno.EINVAL, 'e_shstrndx is SHN_UNDEF (no section name table)');
  if (h.shnum >= MAX_SECTIONS) fail(Errno.EOPNOTSUPP, `too many sections: e_shnum ${h.shnum} >= ${MAX_SECTIONS}`);
  if (h.shstrndx >= h.shnum) fail(Errno.EINVAL, `e_shstrndx ${h.shstrndx} >= e_shnum ${h.shnum}`);
  if (shoff >= len) fail(Errno.EINVAL, `e_shoff ${hex(shoff)} is beyond the payload (${hex(len)} bytes)`);
  if (h.shentsize < SHDR_SIZE) fail(Errno.EINVAL, `e_shentsize ${h.shentsize} < ${SHDR_SIZE}`);
  if ((len - shoff) / BigInt(h.shentsize) < BigInt(h.shnum)) {
    fail(Errno.EINVAL, `section header table (${h.shnum} x ${h.shentsize} bytes at ${hex(shoff)}) extends beyond ` +
      `the payload (${hex(len)} bytes)`);
  }
  return h;
}

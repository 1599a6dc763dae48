import {
  EHDR_SIZE, ELFCLASS64, ELFDATA2LSB, ELFMAG, EI_ABIVERSION, EI_CLASS, EI_DATA, EI_OSABI, EI_VERSION,
} from './constants.ts';
import { ElfError, hex } from './errors.ts';
import { ByteReader } from './reader.ts';

export interface ElfHeader {
  class: number;
  data: number;
  osabi: number;
  abiversion: number;
  identVersion: number;
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  phoff: number;
  shoff: number;
  flags: number;
  ehsize: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

// Field offsets inside Elf64_Ehdr, also used as ElfError offsets by callers.
export const E_TYPE = 0x10;
export const E_MACHINE = 0x12;
export const E_VERSION = 0x14;
export const E_ENTRY = 0x18;
export const E_PHOFF = 0x20;
export const E_SHOFF = 0x28;
export const E_FLAGS = 0x30;
export const E_EHSIZE = 0x34;
export const E_PHENTSIZE = 0x36;
export const E_PHNUM = 0x38;
export const E_SHENTSIZE = 0x3a;
export const E_SHNUM = 0x3c;
export const E_SHSTRNDX = 0x3e;

/**
 * Decode the ELF64 header. Only what is needed to read the rest of the file
 * is judged (size, magic, class, byte order); e_type/e_machine/versions are
 * left to callers, which (like Xen) have their own order of checks.
 */
export function parseHeader(bytes: Uint8Array): ElfHeader {
  if (bytes.length < EHDR_SIZE) {
    throw new ElfError(`ELF header truncated: file is ${bytes.length} bytes, need ${EHDR_SIZE}`, 0);
  }
  for (let i = 0; i < ELFMAG.length; i++) {
    if (bytes[i] !== ELFMAG[i]) throw new ElfError('bad ELF magic (expected 7f 45 4c 46)', i);
  }
  const cls = bytes[EI_CLASS]!;
  if (cls !== ELFCLASS64) throw new ElfError(`unsupported EI_CLASS ${cls} (only ELFCLASS64)`, EI_CLASS);
  const data = bytes[EI_DATA]!;
  if (data !== ELFDATA2LSB) throw new ElfError(`unsupported EI_DATA ${data} (only little-endian)`, EI_DATA);

  const r = new ByteReader(bytes);
  return {
    class: cls,
    data,
    osabi: bytes[EI_OSABI]!,
    abiversion: bytes[EI_ABIVERSION]!,
    identVersion: bytes[EI_VERSION]!,
    type: r.u16(E_TYPE, 'e_type'),
    machine: r.u16(E_MACHINE, 'e_machine'),
    version: r.u32(E_VERSION, 'e_version'),
    entry: r.u64(E_ENTRY, 'e_entry'),
    phoff: r.u64n(E_PHOFF, 'e_phoff'),
    shoff: r.u64n(E_SHOFF, 'e_shoff'),
    flags: r.u32(E_FLAGS, 'e_flags'),
    ehsize: r.u16(E_EHSIZE, 'e_ehsize'),
    phentsize: r.u16(E_PHENTSIZE, 'e_phentsize'),
    phnum: r.u16(E_PHNUM, 'e_phnum'),
    shentsize: r.u16(E_SHENTSIZE, 'e_shentsize'),
    shnum: r.u16(E_SHNUM, 'e_shnum'),
    shstrndx: r.u16(E_SHSTRNDX, 'e_shstrndx'),
  };
}

/** Throws unless `count` records of `entsize` bytes at `off` lie inside the file. */
export function checkTable(
  r: ByteReader, off: number, count: number, entsize: number, minEntsize: number,
  what: string, offField: number, entsizeField: number,
): void {
  if (count === 0) return;
  if (entsize < minEntsize) {
    throw new ElfError(`${what}: entry size ${entsize} is smaller than ${minEntsize}`, entsizeField);
  }
  const bytes = count * entsize;
  if (!r.fits(off, bytes)) {
    throw new ElfError(
      `${what} (${count} x ${entsize} bytes at ${hex(off)}) extends beyond end of file (${hex(r.length)})`, offField);
  }
}

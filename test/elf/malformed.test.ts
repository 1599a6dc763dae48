// Hand-corrupted inputs: each must fail with an ElfError naming the problem
// and its file offset (never a RangeError or garbage values).
import { describe, expect, it } from 'vitest';
import { ElfFile, parseHeader, readSectionHeaders } from '../../loader/elf/index.ts';
import { baseImage, put16, put32, put64 } from './writer.ts';
import { XEN_SYMS, expectElfError, readBytes } from './tools.ts';

const xen = readBytes(XEN_SYMS);
const xenCopy = () => xen.slice();
const XEN_SHOFF = 0x2c1ec8;

/** A fresh copy of the base image plus its parsed (valid) layout. */
function base() {
  const b = baseImage();
  return { ...b, elf: ElfFile.parse(b.bytes) };
}

describe('ELF header', () => {
  it('truncated header', () => {
    expectElfError(() => parseHeader(xen.slice(0, 63)), 0, /^ELF header truncated: file is 63 bytes, need 64$/);
    expectElfError(() => ElfFile.parse(new Uint8Array(0)), 0, /file is 0 bytes/);
  });

  it('bad magic', () => {
    const b = xenCopy();
    b[2] = 0x4d;
    expectElfError(() => parseHeader(b), 2, /bad ELF magic/);
    expectElfError(() => ElfFile.parse(b), 2, /bad ELF magic/);
  });

  it('ELFCLASS32', () => {
    const b = xenCopy();
    b[4] = 1;
    expectElfError(() => parseHeader(b), 4, /EI_CLASS 1 \(only ELFCLASS64\)/);
  });

  it('big-endian', () => {
    const b = xenCopy();
    b[5] = 2;
    expectElfError(() => ElfFile.parse(b), 5, /EI_DATA 2 \(only little-endian\)/);
  });

  it('does not judge e_type, e_machine or versions', () => {
    const b = xenCopy();
    put16(b, 0x10, 0x1234);
    put16(b, 0x12, 3);
    put32(b, 0x14, 7);
    b[6] = 9;
    b[7] = 0x61;
    b[8] = 5;
    expect(parseHeader(b)).toMatchObject({
      type: 0x1234, machine: 3, version: 7, identVersion: 9, osabi: 0x61, abiversion: 5,
    });
  });
});

describe('section header table', () => {
  it('beyond end of file (truncated file)', () => {
    const b = xen.slice(0, XEN_SHOFF + 5 * 64);
    const what = /^section header table \(13 x 64 bytes at 0x2c1ec8\) extends beyond end of file \(0x2c2008\)$/;
    expectElfError(() => ElfFile.parse(b), 0x28, what);
    expectElfError(() => readSectionHeaders(b, parseHeader(b)), 0x28, what);
  });

  it('beyond end of file (huge e_shoff)', () => {
    const { bytes } = baseImage();
    put64(bytes, 0x28, 0xffff_ffff_ffff_ff00n);
    expectElfError(() => ElfFile.parse(bytes), 0x28, /section header table .* extends beyond end of file/);
  });

  it('e_shentsize < 64', () => {
    const b = xenCopy();
    put16(b, 0x3a, 40);
    expectElfError(() => ElfFile.parse(b), 0x3a, /section header table: entry size 40 is smaller than 64/);
    expectElfError(() => readSectionHeaders(b, parseHeader(b)), 0x3a, /entry size 40/);
  });

  it('e_shentsize > 64 strides over the extra bytes', () => {
    // Same 13 headers re-laid with 80-byte stride at the end of a copy.
    const b = new Uint8Array(xen.length + 13 * 80);
    b.set(xen);
    for (let i = 0; i < 13; i++) b.set(xen.subarray(XEN_SHOFF + i * 64, XEN_SHOFF + i * 64 + 64), xen.length + i * 80);
    put64(b, 0x28, BigInt(xen.length));
    put16(b, 0x3a, 80);
    const elf = ElfFile.parse(b);
    expect(elf.section('.text')!.headerOffset).toBe(xen.length + 80);
    expect(elf.sections.map((s) => s.name)).toEqual(ElfFile.parse(xen).sections.map((s) => s.name));
  });

  it('e_shstrndx out of range', () => {
    const b = xenCopy();
    put16(b, 0x3e, 50);
    expectElfError(() => ElfFile.parse(b), 0x3e, /^e_shstrndx 50 out of range \(e_shnum 13\)$/);
    // The raw reader keeps going with empty names (Xen-order callers judge it themselves).
    const raw = readSectionHeaders(b, parseHeader(b));
    expect(raw).toHaveLength(13);
    expect(raw.every((s) => s.name === '')).toBe(true);
    expect(raw[1]!.nameOffset).toBe(0x3b); // ".text" (tail of ".init.text" at 0x36)
    expect(raw[2]!.nameOffset).toBe(0x1b); // ".rodata"
  });

  it('e_shstrndx naming a non-STRTAB section', () => {
    const b = xenCopy();
    put16(b, 0x3e, 1);
    expectElfError(() => ElfFile.parse(b), XEN_SHOFF + 64, /e_shstrndx 1: section type 1 is not SHT_STRTAB/);
  });

  it('sh_name beyond the section name table', () => {
    const b = xenCopy();
    put32(b, XEN_SHOFF + 7 * 64, 0x6c);
    expectElfError(() => ElfFile.parse(b), XEN_SHOFF + 7 * 64,
      /^section header 7: sh_name 0x6c beyond section name table \(size 0x6c\)$/);
    expect(readSectionHeaders(b, parseHeader(b))[7]!.name).toBe('');
  });

  it('section name table beyond end of file', () => {
    const b = xenCopy();
    put64(b, XEN_SHOFF + 12 * 64 + 24, 0x2c1ec0n); // .shstrtab sh_offset
    put64(b, XEN_SHOFF + 12 * 64 + 32, 0x100000n); // .shstrtab sh_size
    expectElfError(() => ElfFile.parse(b), XEN_SHOFF + 12 * 64,
      /^section header 12: sh_offset\+sh_size \(0x3c1ec0\) beyond end of file \(0x2c2208\)$/);
    expect(readSectionHeaders(b, parseHeader(b)).every((s) => s.name === '')).toBe(true);
  });
});

describe('section data', () => {
  it('beyond end of file is reported lazily by sectionData', () => {
    const b = xenCopy();
    put64(b, XEN_SHOFF + 9 * 64 + 32, 0x100000n); // .comment sh_size
    const elf = ElfFile.parse(b);
    expect(elf.sectionData(elf.section('.text')!)).toHaveLength(0x160783);
    expectElfError(() => elf.sectionData(elf.section('.comment')!), XEN_SHOFF + 9 * 64,
      /^section header 9 \(\.comment\): sh_offset\+sh_size \(0x379920\) beyond end of file \(0x2c2208\)$/);
  });

  it('huge sh_offset does not wrap or lose the error', () => {
    const { bytes, shoff } = baseImage();
    put64(bytes, shoff + 64 + 24, 0xffff_ffff_ffff_fff0n);
    const elf = ElfFile.parse(bytes);
    expectElfError(() => elf.sectionData(elf.sections[1]!), shoff + 64, /section header 1 \(\.text\): sh_offset\+sh_size/);
  });
});

describe('symbols', () => {
  it('symtab strtab index out of range', () => {
    const { bytes, shoff } = baseImage();
    put32(bytes, shoff + 5 * 64 + 40, 99);
    const elf = ElfFile.parse(bytes);
    expectElfError(() => elf.symbols(), shoff + 5 * 64,
      /^section header 5 \(\.symtab\): sh_link 99 is not a valid string table index \(e_shnum 8\)$/);
  });

  it('symtab sh_link naming a non-STRTAB section', () => {
    const { bytes, shoff } = baseImage();
    put32(bytes, shoff + 5 * 64 + 40, 1);
    expectElfError(() => ElfFile.parse(bytes).symbols(), shoff + 5 * 64, /sh_link 1 names a section of type 1, not SHT_STRTAB/);
  });

  it('st_name beyond strtab', () => {
    const { elf, bytes } = base();
    const symtab = elf.section('.symtab')!;
    put32(bytes, symtab.offset + 2 * 24, 0xffff);
    expectElfError(() => ElfFile.parse(bytes).symbols(), symtab.offset + 2 * 24,
      /^symbol 2: st_name 0xffff beyond string table 6 \(size 0x15\)$/);
  });

  it('unterminated string', () => {
    const { elf, bytes } = base();
    const strtab = elf.section('.strtab')!;
    // Last string is "main\0": overwrite its NUL so it runs into the end of .strtab.
    expect(elf.stringAt(strtab.index, strtab.size - 5)).toBe('main');
    bytes[strtab.offset + strtab.size - 1] = 0x41;
    const broken = ElfFile.parse(bytes);
    expectElfError(() => broken.symbols(), strtab.offset + strtab.size - 5,
      /^symbol 5 name: unterminated string \(no NUL before 0x[0-9a-f]+\)$/);
    expectElfError(() => broken.stringAt(strtab.index, strtab.size - 5), strtab.offset + strtab.size - 5,
      /^string table 6: unterminated string/);
  });

  it('symtab entsize and size checks', () => {
    const { bytes, shoff } = baseImage();
    put64(bytes, shoff + 5 * 64 + 56, 16n);
    expectElfError(() => ElfFile.parse(bytes).symbols(), shoff + 5 * 64, /sh_entsize 16 is smaller than 24/);
    put64(bytes, shoff + 5 * 64 + 56, 24n);
    put64(bytes, shoff + 5 * 64 + 32, 24n * 6n - 1n);
    expectElfError(() => ElfFile.parse(bytes).symbols(), shoff + 5 * 64, /sh_size 0x8f is not a multiple of sh_entsize 24/);
  });
});

describe('stringAt', () => {
  it('rejects bad indices, non-string tables and offsets', () => {
    const { elf, shoff } = base();
    expectElfError(() => elf.stringAt(8, 0), shoff, /string table index 8 out of range \(e_shnum 8\)/);
    expectElfError(() => elf.stringAt(1, 0), shoff + 64, /section header 1 \(\.text\): type 1 is not SHT_STRTAB/);
    expectElfError(() => elf.stringAt(6, 0x15), shoff + 6 * 64, /string offset 21 beyond string table 6 \(size 0x15\)/);
    expectElfError(() => elf.stringAt(6, -1), shoff + 6 * 64, /string offset -1/);
  });
});

describe('notes', () => {
  it('truncated note (desc runs past the section)', () => {
    const { elf, bytes } = base();
    const s = elf.section('.note.gnu.build-id')!;
    put32(bytes, s.offset + 4, 100); // descsz
    const broken = ElfFile.parse(bytes);
    expectElfError(() => broken.notes(broken.section('.note.gnu.build-id')!), s.offset,
      /^section 3 \(\.note\.gnu\.build-id\) notes: truncated note \(namesz 4, descsz 100 need 0x74 bytes, 0x24 left\)$/);
    expectElfError(() => broken.buildId(), s.offset, /truncated note/);
  });

  it('truncated note header', () => {
    const { elf, bytes, shoff } = base();
    const s = elf.section('.note.gnu.build-id')!;
    put64(bytes, shoff + 3 * 64 + 32, 0x24n + 8n); // 8 stray bytes after the note
    const broken = ElfFile.parse(bytes);
    expectElfError(() => broken.notes(broken.sections[3]!), s.offset + 0x24,
      /truncated note header \(8 of 12 bytes\)/);
  });

  it('huge namesz does not overflow', () => {
    const { elf, bytes } = base();
    const s = elf.section('.note.gnu.build-id')!;
    put32(bytes, s.offset, 0xffff_fffe);
    expectElfError(() => ElfFile.parse(bytes).notes(s), s.offset, /truncated note \(namesz 4294967294/);
  });

  it('PT_NOTE segment beyond end of file', () => {
    const { bytes, phoff, shoff } = baseImage();
    put32(bytes, shoff + 3 * 64 + 4, 1); // .note.gnu.build-id -> PROGBITS, so buildId() falls back to PT_NOTE
    put64(bytes, phoff + 2 * 56 + 32, 0x10000n);
    expectElfError(() => ElfFile.parse(bytes).buildId(), phoff + 2 * 56,
      /^program header 2: p_offset\+p_filesz \(0x[0-9a-f]+\) beyond end of file/);
  });
});

describe('relocations', () => {
  it('RELA with bad entsize', () => {
    const { bytes, shoff } = baseImage();
    put64(bytes, shoff + 2 * 64 + 56, 16n);
    const elf = ElfFile.parse(bytes);
    expectElfError(() => elf.relocations(elf.section('.rela.text')!), shoff + 2 * 64,
      /^section header 2 \(\.rela\.text\): sh_entsize 16 is not 24$/);
  });

  it('RELA size not a multiple of 24', () => {
    const { bytes, shoff } = baseImage();
    put64(bytes, shoff + 2 * 64 + 32, 70n);
    const elf = ElfFile.parse(bytes);
    expectElfError(() => elf.relocations(elf.sections[2]!), shoff + 2 * 64, /sh_size 0x46 is not a multiple of 24/);
  });

  it('not SHT_RELA, bad sh_link, symbol index out of range', () => {
    const { elf, bytes, shoff } = base();
    expectElfError(() => elf.relocations(elf.sections[1]!), shoff + 64, /type 1 is not SHT_RELA/);
    const relaOf = (b: Uint8Array) => () => {
      const f = ElfFile.parse(b);
      return f.relocations(f.sections[2]!);
    };
    put32(bytes, shoff + 2 * 64 + 40, 6); // sh_link -> .strtab
    expectElfError(relaOf(bytes), shoff + 2 * 64, /sh_link 6 does not name a symbol table/);
    put32(bytes, shoff + 2 * 64 + 40, 5);
    const rela = elf.section('.rela.text')!;
    put32(bytes, rela.offset + 24 + 12, 6); // r_sym of entry 1 = 6 (symtab has 6 entries)
    expectElfError(relaOf(bytes), rela.offset + 24,
      /relocation 1: symbol index 6 out of range \(6 symbols\)/);
  });
});

describe('program headers and readAt', () => {
  it('e_phentsize < 56', () => {
    const { bytes } = baseImage();
    put16(bytes, 0x36, 32);
    expectElfError(() => ElfFile.parse(bytes), 0x36, /program header table: entry size 32 is smaller than 56/);
  });

  it('program header table beyond end of file', () => {
    const { bytes } = baseImage();
    put64(bytes, 0x20, BigInt(bytes.length - 56));
    expectElfError(() => ElfFile.parse(bytes), 0x20, /^program header table \(3 x 56 bytes at 0x[0-9a-f]+\) extends beyond end of file/);
  });

  it('unmapped addresses and bad lengths', () => {
    const { elf, phoff } = base();
    expectElfError(() => elf.readAt(0x1000n, 4), phoff, /readAt: address 0x1000 \(reading 4 bytes from 0x1000\) is not in any PT_LOAD segment/);
    // Runs off the end of the second segment.
    expectElfError(() => elf.readAt(0xffff82d040200000n + 36n, 8), phoff, /address 0xffff82d040200028 .* not in any PT_LOAD/);
    expectElfError(() => elf.readAt(0xffff82d040200000n, -1), phoff, /invalid length -1/);
    expectElfError(() => elf.readAt(0xffff82d040200000n, 1.5), phoff, /invalid length 1.5/);
  });

  it('PT_LOAD data beyond end of file and p_filesz > p_memsz', () => {
    const { bytes, phoff } = baseImage();
    put64(bytes, phoff + 8, 0x7fff_ffffn);
    expectElfError(() => ElfFile.parse(bytes).readAt(0xffff82d040200000n, 1), phoff,
      /^program header 0: p_offset\+p_filesz \(0x8000000f\) beyond end of file/);
    const b2 = baseImage().bytes;
    put64(b2, phoff + 56 + 40, 4n);
    expectElfError(() => ElfFile.parse(b2).readAt(0xffff82d040200020n, 1), phoff + 56,
      /^program header 1: p_filesz 0x8 exceeds p_memsz 0x4$/);
  });
});

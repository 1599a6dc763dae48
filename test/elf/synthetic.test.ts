// Behaviour on small images built in memory, where every byte is known.
import { describe, expect, it } from 'vitest';
import {
  EM_X86_64, ET_EXEC, ElfError, ElfFile, NT_GNU_BUILD_ID, R_X86_64_32, R_X86_64_32S, R_X86_64_64, R_X86_64_NONE,
  R_X86_64_PC32, R_X86_64_PLT32, SHN_ABS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF, SHT_NOTE, SHT_PROGBITS, SHT_STRTAB,
  STB_GLOBAL, STT_FILE, parseHeader, readSectionHeaders,
} from '../../loader/elf/index.ts';
import { BASE_BUILD_ID, BASE_VADDR, baseImage, buildElf, concat, noteBytes, put32 } from './writer.ts';

describe('constants', () => {
  it('match the gABI / psABI values other modules rely on', () => {
    expect([SHN_UNDEF, SHN_LORESERVE, SHN_ABS, SHN_COMMON]).toEqual([0, 0xff00, 0xfff1, 0xfff2]);
    expect([R_X86_64_NONE, R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32, R_X86_64_32, R_X86_64_32S]).toEqual([0, 1, 2, 4, 10, 11]);
    expect([EM_X86_64, NT_GNU_BUILD_ID, ET_EXEC]).toEqual([62, 3, 2]);
  });
});

describe('base image', () => {
  const { bytes, shoff, phoff } = baseImage();
  const elf = ElfFile.parse(bytes);

  it('header and section table', () => {
    expect(elf.header).toMatchObject({ class: 2, data: 1, type: ET_EXEC, machine: EM_X86_64, entry: BASE_VADDR, phoff, shoff, shnum: 8, shstrndx: 7 });
    expect(elf.sections.map((s) => s.name)).toEqual(['', '.text', '.rela.text', '.note.gnu.build-id', '.bss', '.symtab', '.strtab', '.shstrtab']);
    expect(elf.sections.map((s) => s.headerOffset)).toEqual(elf.sections.map((_, i) => shoff + 64 * i));
    expect(elf.section('.text')).toMatchObject({ index: 1, type: SHT_PROGBITS, flags: 6n, addr: BASE_VADDR, size: 32, addralign: 16n });
    expect(elf.section('.bss')).toMatchObject({ size: 0x100, flags: 3n });
  });

  it('symbols with file tracking', () => {
    const syms = elf.symbols();
    expect(syms.map((s) => [s.name, s.file])).toEqual([
      ['', undefined], ['a.c', 'a.c'], ['helper', 'a.c'], ['b.c', 'b.c'], ['helper', 'b.c'], ['main', 'b.c'],
    ]);
    expect(syms[1]).toMatchObject({ type: STT_FILE, shndx: SHN_ABS });
    expect(syms[5]).toMatchObject({ bind: STB_GLOBAL, value: BASE_VADDR + 8n, size: 8, visibility: 0 });
  });

  it('relocations', () => {
    expect(elf.relocations(elf.section('.rela.text')!)).toEqual([
      { offset: 1n, type: R_X86_64_PC32, sym: 2, addend: -4n },
      { offset: 6n, type: R_X86_64_PLT32, sym: 5, addend: -4n },
      { offset: 16n, type: R_X86_64_64, sym: 4, addend: 0x10n },
    ]);
  });

  it('notes and build-id', () => {
    const s = elf.section('.note.gnu.build-id')!;
    expect(elf.notes(s)).toEqual([{ name: 'GNU', type: 3, desc: BASE_BUILD_ID, offset: s.offset }]);
    expect(elf.buildId()).toEqual(BASE_BUILD_ID);
    // NOBITS sections hold no notes.
    expect(elf.notes(elf.section('.bss')!)).toEqual([]);
  });

  it('falls back to PT_NOTE segments for the build-id', () => {
    const b = bytes.slice();
    put32(b, shoff + 3 * 64 + 4, SHT_PROGBITS);
    expect(ElfFile.parse(b).buildId()).toEqual(Uint8Array.of(0xee, 0xff));
    put32(b, phoff + 2 * 56, 0); // PT_NULL: no build-id anywhere
    expect(ElfFile.parse(b).buildId()).toBeUndefined();
  });

  it('readAt across segments with a zero-filled tail', () => {
    // Segment 0: 16 file bytes 01..10 then 16 zero bytes; segment 1 follows at +32 with a1..a8.
    expect([...elf.readAt(BASE_VADDR + 14n, 4)]).toEqual([0x0f, 0x10, 0, 0]);
    expect([...elf.readAt(BASE_VADDR + 30n, 4)]).toEqual([0, 0, 0xa1, 0xa2]);
    expect(elf.readAt(BASE_VADDR, 40)).toHaveLength(40);
    expect(elf.readAt(BASE_VADDR + 1000n, 0)).toEqual(new Uint8Array(0));
    // A copy: writing to it leaves the file untouched.
    const out = elf.readAt(BASE_VADDR, 1);
    out[0] = 0x55;
    expect(elf.readAt(BASE_VADDR, 1)[0]).toBe(1);
  });

  it('sectionData is a view', () => {
    const d = elf.sectionData(elf.section('.text')!);
    expect(d.buffer).toBe(bytes.buffer);
    expect(d.byteOffset).toBe(elf.section('.text')!.offset);
  });

  it('works on a Uint8Array view with a non-zero byteOffset', () => {
    const padded = new Uint8Array(bytes.length + 13);
    padded.set(bytes, 13);
    const view = padded.subarray(13);
    const f = ElfFile.parse(view);
    expect(f.symbols().map((s) => s.name)).toEqual(elf.symbols().map((s) => s.name));
    expect(f.buildId()).toEqual(BASE_BUILD_ID);
    expect(f.readAt(BASE_VADDR + 30n, 4)).toEqual(elf.readAt(BASE_VADDR + 30n, 4));
    expect(f.notes(f.section('.note.gnu.build-id')!)[0]!.offset).toBe(elf.section('.note.gnu.build-id')!.offset);
  });
});

describe('section lookup and names', () => {
  it('section(name) returns the first of duplicate names (Xen semantics)', () => {
    const { bytes } = buildElf({
      sections: [
        { name: '.dup', type: SHT_PROGBITS, data: Uint8Array.of(1) },
        { name: '.dup', type: SHT_PROGBITS, data: Uint8Array.of(2) },
      ],
    });
    const elf = ElfFile.parse(bytes);
    expect(elf.section('.dup')!.index).toBe(1);
    expect(elf.sectionData(elf.section('.dup')!)[0]).toBe(1);
  });

  it('e_shstrndx = SHN_UNDEF means unnamed sections, not an error', () => {
    const { bytes } = baseImage();
    bytes[0x3e] = 0;
    bytes[0x3f] = 0;
    const elf = ElfFile.parse(bytes);
    expect(elf.sections.every((s) => s.name === '')).toBe(true);
    expect(readSectionHeaders(bytes, parseHeader(bytes)).every((s) => s.name === '')).toBe(true);
  });

  it('decodes UTF-8 names and falls back to latin1 for invalid UTF-8', () => {
    const strtab = concat(Uint8Array.of(0), new TextEncoder().encode('größe\0'), Uint8Array.of(0x66, 0xe9, 0x65, 0));
    const { bytes, index } = buildElf({ sections: [{ name: '.names', type: SHT_STRTAB, data: strtab }] });
    const elf = ElfFile.parse(bytes);
    const i = index.get('.names')!;
    expect(elf.stringAt(i, 1)).toBe('größe');
    expect(elf.stringAt(i, 9)).toBe('f\u00e9e');
    expect(elf.stringAt(i, 0)).toBe('');
  });

  it('section with no symbol table yields no symbols', () => {
    const { bytes } = buildElf({ sections: [{ name: '.text', type: SHT_PROGBITS, data: Uint8Array.of(0xc3) }] });
    expect(ElfFile.parse(bytes).symbols()).toEqual([]);
  });
});

describe('notes', () => {
  it('parses several notes, unterminated names and empty descs', () => {
    // Go-style name without NUL (namesz 4 "Go\0\0" is the norm, but a bare "Xen" with namesz 3 must work too).
    const bare = new Uint8Array(12 + 4 + 4);
    new DataView(bare.buffer).setUint32(0, 3, true);
    new DataView(bare.buffer).setUint32(4, 2, true);
    new DataView(bare.buffer).setUint32(8, 0x100, true);
    bare.set([0x58, 0x65, 0x6e], 12);
    bare.set([0xaa, 0xbb], 16);
    const data = concat(noteBytes('GNU', 1, Uint8Array.of(0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0)), bare,
      noteBytes('', 7, new Uint8Array(0)), noteBytes('GNU', 3, Uint8Array.of(9, 8, 7)));
    const { bytes, dataOffset, index } = buildElf({ sections: [{ name: '.note.multi', type: SHT_NOTE, data }] });
    const elf = ElfFile.parse(bytes);
    const notes = elf.notes(elf.section('.note.multi')!);
    const base = dataOffset[index.get('.note.multi')!]!;
    expect(notes.map((n) => [n.name, n.type, [...n.desc], n.offset - base])).toEqual([
      ['GNU', 1, [0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0], 0],
      ['Xen', 0x100, [0xaa, 0xbb], 32],
      ['', 7, [], 52],
      ['GNU', 3, [9, 8, 7], 68],
    ]);
    expect(elf.buildId()).toEqual(Uint8Array.of(9, 8, 7));
  });

  it('accepts an unpadded final desc (Xen payload notes are 36 bytes exactly)', () => {
    const { bytes } = buildElf({
      sections: [{ name: '.livepatch.depends', type: SHT_PROGBITS, data: noteBytes('GNU', 3, Uint8Array.of(1, 2, 3)).subarray(0, 19) }],
    });
    const elf = ElfFile.parse(bytes);
    expect(elf.notes(elf.section('.livepatch.depends')!)[0]!.desc).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('ElfError', () => {
  it('carries what and offset and formats the message', () => {
    const e = new ElfError('section header 7: sh_offset+sh_size (0x1234) beyond end of file (0x1000)', 0x2c0);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ElfError');
    expect(e.message).toBe('section header 7: sh_offset+sh_size (0x1234) beyond end of file (0x1000) at offset 0x2c0');
    expect([e.what, e.offset]).toEqual(['section header 7: sh_offset+sh_size (0x1234) beyond end of file (0x1000)', 0x2c0]);
  });
});

// Facts about Debian's xen-syms-4.17-amd64 (spec §9), read with our ELF reader.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EM_X86_64, ET_EXEC, ElfFile, PT_LOAD, PT_NOTE, SHT_NOBITS, SHT_NOTE, STB_GLOBAL, STB_LOCAL, STT_FILE, STT_FUNC,
  STT_OBJECT, readSectionHeaders, parseHeader,
} from '../../loader/elf/index.ts';
import { XEN_SYMS, readBytes, readelfSymbols, toHex } from './tools.ts';

let bytes: Uint8Array;
let elf: ElfFile;
const sym = (name: string) => {
  const s = elf.symbols().find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s;
};

beforeAll(() => {
  bytes = readBytes(XEN_SYMS);
  elf = ElfFile.parse(bytes);
});

describe('xen-syms-4.17-amd64', () => {
  it('has the expected ELF header', () => {
    const h = elf.header;
    expect(h.type).toBe(ET_EXEC);
    expect(h.machine).toBe(EM_X86_64);
    expect(h.entry).toBe(0x200000n);
    expect(h.shnum).toBe(13);
    expect(h.phnum).toBe(2);
    expect(h.shstrndx).toBe(12);
    expect(parseHeader(bytes)).toEqual(h);
  });

  it('has 13 section headers with the spec addresses', () => {
    expect(elf.sections).toHaveLength(13);
    expect(elf.sections.map((s) => s.name)).toEqual([
      '', '.text', '.rodata', '.note.gnu.build-id', '.init.text', '.init.data', '.data.read_mostly', '.data',
      '.bss', '.comment', '.symtab', '.strtab', '.shstrtab',
    ]);
    const text = elf.section('.text')!;
    expect(text.index).toBe(1);
    expect(text.addr).toBe(0xffff82d040200000n);
    expect(text.size).toBe(0x160783);
    expect(text.offset).toBe(0x8000);
    expect(text.addralign).toBe(4096n);
    expect(text.headerOffset).toBe(elf.header.shoff + 64);
    expect(elf.section('.rodata')!.addr).toBe(0xffff82d040361000n);
    expect(elf.section('.rodata')!.size).toBe(0x55ec8);
    expect(elf.section('.note.gnu.build-id')!.type).toBe(SHT_NOTE);
    expect(elf.section('.bss')!.type).toBe(SHT_NOBITS);
    expect(elf.sectionData(elf.section('.bss')!)).toHaveLength(0);
    expect(elf.sectionData(text)).toHaveLength(0x160783);
    expect(elf.section('.nonexistent')).toBeUndefined();
    // The lenient raw reader agrees with the strict one on a well-formed file.
    expect(readSectionHeaders(bytes, elf.header)).toEqual(elf.sections);
  });

  it('has the expected program headers', () => {
    const [load, note] = elf.programHeaders;
    expect(load!.type).toBe(PT_LOAD);
    expect(load!.vaddr).toBe(0xffff82d040200000n);
    expect(load!.paddr).toBe(0x200000n);
    expect(load!.filesz).toBe(0x271920);
    expect(load!.memsz).toBe(0x3a6140);
    expect(note!.type).toBe(PT_NOTE);
    expect(note!.vaddr).toBe(0xffff82d0403b6ec8n);
  });

  it('has the spec build-id, as an NT_GNU_BUILD_ID note', () => {
    expect(toHex(elf.buildId()!)).toBe('151b373fd64b321593bf987fd923cd10dabadac4');
    const notes = elf.notes(elf.section('.note.gnu.build-id')!);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ name: 'GNU', type: 3, offset: 0x1beec8 });
    // The raw note bytes in .rodata's tail are what a payload's .livepatch.xen_depends copies.
    expect(toHex(elf.readAt(0xffff82d0403b6ec8n, 16))).toBe('040000001400000003000000474e5500');
  });

  it('reads xen_extra_version and its code', () => {
    const s = sym('xen_extra_version');
    expect(s.value).toBe(0xffff82d040234b20n);
    expect(s.size).toBe(0xc);
    expect(s.type).toBe(STT_FUNC);
    expect(s.bind).toBe(STB_GLOBAL);
    expect(s.shndx).toBe(1);
    expect(toHex(elf.readAt(s.value, 8))).toBe('488d0518ba1600e9');
    // lea rip+0x16ba18 -> ".7" (xen_version "4.17.7")
    expect(toHex(elf.readAt(0xffff82d0403a053fn, 3))).toBe('2e3700');
  });

  it('reads exception-table bounds and bss through readAt', () => {
    expect(sym('__start___ex_table').value).toBe(0xffff82d040364398n);
    expect(sym('__stop___ex_table').value).toBe(0xffff82d040364bf0n);
    expect((sym('__stop___ex_table').value - sym('__start___ex_table').value) / 8n).toBe(267n);
    // .bss lies past p_filesz: reads as zeros.
    const bss = elf.section('.bss')!;
    expect(elf.readAt(bss.addr + 0x100n, 64)).toEqual(new Uint8Array(64));
  });

  it('tracks STT_FILE for static symbols', () => {
    const len = sym('build_id_len');
    expect(len.bind).toBe(STB_LOCAL);
    expect(len.type).toBe(STT_OBJECT);
    expect(len.value).toBe(0xffff82d04045eac0n);
    expect(len.file).toBe('common/version.c');
    expect(sym('build_id_p').file).toBe('common/version.c');
    const lp = sym('livepatch_printall');
    expect(lp.bind).toBe(STB_LOCAL);
    expect(lp.type).toBe(STT_FUNC);
    expect(lp.value).toBe(0xffff82d040221810n);
    expect(lp.file).toBe('common/livepatch.c');
    // livepatch_printall starts with ENDBR64.
    expect(toHex(elf.readAt(lp.value, 4))).toBe('f30f1efa');
    const syms = elf.symbols();
    expect(syms[0]).toMatchObject({ index: 0, name: '', value: 0n, file: undefined });
    expect(syms[1]).toMatchObject({ type: STT_FILE, name: 'common/bitmap.c', file: 'common/bitmap.c' });
    expect(syms.filter((s) => s.type === STT_FILE)).toHaveLength(365);
    expect(elf.symbols()).toBe(syms); // cached
  });

  it('agrees with readelf on every symbol', () => {
    const ours = elf.symbols();
    const theirs = readelfSymbols(XEN_SYMS);
    expect(theirs).toHaveLength(7251);
    expect(ours).toHaveLength(theirs.length);
    const ndx = (n: number) => (n === 0 ? 'UND' : n === 0xfff1 ? 'ABS' : n === 0xfff2 ? 'COM' : String(n));
    for (const t of theirs) {
      const s = ours[t.index]!;
      expect([s.name, s.value, s.size, ndx(s.shndx)]).toEqual([t.name, t.value, t.size, t.ndx]);
    }
  });

  it('reads section names through stringAt', () => {
    const shstr = elf.header.shstrndx;
    expect(elf.stringAt(shstr, elf.section('.text')!.nameOffset)).toBe('.text');
    expect(elf.stringAt(shstr, elf.section('.text')!.nameOffset + 1)).toBe('text');
  });
});

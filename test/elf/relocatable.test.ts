// Real relocatable objects from the system gcc/ld: relocations and STT_FILE tracking.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ET_REL, ElfFile, R_X86_64_PC32, R_X86_64_PLT32, SHN_ABS, SHN_UNDEF, SHT_RELA, STB_GLOBAL, STB_LOCAL, STT_FILE,
  STT_FUNC, STT_OBJECT,
} from '../../loader/elf/index.ts';
import { buildInTmp, readBytes, readelfSymbols, run, toHex } from './tools.ts';

// noipa keeps each static `helper` as its own symbol (no inlining or .isra clones).
const A_C = `static int counter;
extern int ext_fn(int);
__attribute__((noipa)) static int helper(int x) { return x * 3 + counter; }
int a_entry(int x) { counter++; return helper(x) + ext_fn(x); }
`;
const B_C = `static long total;
__attribute__((noipa)) static int helper(int x) { return x ^ 0x55; }
int b_entry(int x) { total += x; return helper(x); }
`;

let dir: string;
let a: ElfFile;
let ab: ElfFile;

beforeAll(() => {
  dir = buildInTmp({ 'a.c': A_C, 'b.c': B_C }, [
    ['gcc', '-O2', '-c', '-ffunction-sections', 'a.c', 'b.c'],
    ['ld', '-r', '--build-id=sha1', '-o', 'ab.o', 'a.o', 'b.o'],
  ]);
  a = ElfFile.parse(readBytes(join(dir, 'a.o')));
  ab = ElfFile.parse(readBytes(join(dir, 'ab.o')));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `readelf -rW` as {section -> [offset, type, symbolName, addend]} for cross-checking. */
function readelfRelocs(path: string): Map<string, [bigint, string, string, bigint][]> {
  const out = new Map<string, [bigint, string, string, bigint][]>();
  let cur: [bigint, string, string, bigint][] | undefined;
  for (const line of run('readelf', ['-rW', path]).split('\n')) {
    const head = /^Relocation section '([^']+)'/.exec(line);
    if (head) out.set(head[1]!, (cur = []));
    const m = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(\S+)\s+[0-9a-f]{16}\s+(\S+) ([+-]) ([0-9a-f]+)$/.exec(line);
    if (m && cur) cur.push([BigInt('0x' + m[1]), m[2]!, m[3]!, (m[4] === '-' ? -1n : 1n) * BigInt('0x' + m[5])]);
  }
  return out;
}

const RELOC_NAMES: Record<number, string> = { [R_X86_64_PC32]: 'R_X86_64_PC32', [R_X86_64_PLT32]: 'R_X86_64_PLT32' };

describe('gcc -O2 -c -ffunction-sections object', () => {
  it('is ET_REL with per-function sections and RELA sections', () => {
    expect(a.header.type).toBe(ET_REL);
    expect(a.header.phnum).toBe(0);
    expect(a.programHeaders).toEqual([]);
    const rela = a.section('.rela.text.a_entry')!;
    expect(rela.type).toBe(SHT_RELA);
    expect(rela.entsize).toBe(24);
    expect(a.sections[rela.info]!.name).toBe('.text.a_entry');
    expect(a.sections[rela.link]!.name).toBe('.symtab');
  });

  it('decodes .rela.text.a_entry: PC32 to data/helper, PLT32 to ext_fn', () => {
    const syms = a.symbols();
    const relocs = a.relocations(a.section('.rela.text.a_entry')!);
    const described = relocs.map((r) => [RELOC_NAMES[r.type], syms[r.sym]!.name || a.sections[syms[r.sym]!.shndx]!.name, r.addend]);
    expect(described).toContainEqual(['R_X86_64_PLT32', 'ext_fn', -4n]);
    expect(described.some(([t, n]) => t === 'R_X86_64_PC32' && (n === '.bss' || n === '.text.helper'))).toBe(true);
    const ext = relocs.find((r) => r.type === R_X86_64_PLT32)!;
    expect(syms[ext.sym]).toMatchObject({ name: 'ext_fn', shndx: SHN_UNDEF, bind: STB_GLOBAL });
    // The call displacement patched by the PLT32 follows an E8 opcode.
    const text = a.sectionData(a.section('.text.a_entry')!);
    expect(text[Number(ext.offset) - 1]).toBe(0xe8);
  });

  it('agrees with readelf on every relocation of every RELA section', () => {
    for (const [file, elf] of [['a.o', a], ['ab.o', ab]] as const) {
      const theirs = readelfRelocs(join(dir, file));
      const relaSections = elf.sections.filter((s) => s.type === SHT_RELA);
      expect([...theirs.keys()]).toEqual(relaSections.map((s) => s.name));
      const syms = elf.symbols();
      for (const s of relaSections) {
        const ours = elf.relocations(s).map((r): [bigint, string, string, bigint] => {
          const sym = syms[r.sym]!;
          return [r.offset, RELOC_NAMES[r.type] ?? String(r.type), sym.name || elf.sections[sym.shndx]!.name, r.addend];
        });
        expect(ours).toEqual(theirs.get(s.name));
      }
    }
  });

  it('agrees with readelf on symbols', () => {
    const theirs = readelfSymbols(join(dir, 'a.o'));
    const ours = a.symbols();
    expect(ours).toHaveLength(theirs.length);
    for (const t of theirs) {
      const s = ours[t.index]!;
      // readelf shows STT_SECTION symbols (st_name 0) under their section's name.
      const name = t.type === 'SECTION' ? a.sections[s.shndx]!.name : s.name;
      expect([name, s.value, s.size]).toEqual([t.name, t.value, t.size]);
    }
  });
});

describe('ld -r of two objects with a static helper each', () => {
  it('tracks the STT_FILE of each static', () => {
    const syms = ab.symbols();
    const helpers = syms.filter((s) => s.name === 'helper');
    expect(helpers).toHaveLength(2);
    expect(helpers.map((h) => h.file)).toEqual(['a.c', 'b.c']);
    expect(helpers.every((h) => h.bind === STB_LOCAL && h.type === STT_FUNC)).toBe(true);
    // Both land in the merged .text.helper section at different offsets.
    expect(helpers[0]!.shndx).toBe(helpers[1]!.shndx);
    expect(helpers[0]!.value).not.toBe(helpers[1]!.value);
    const files = syms.filter((s) => s.type === STT_FILE);
    expect(files.map((f) => [f.name, f.shndx, f.file])).toEqual([['a.c', SHN_ABS, 'a.c'], ['b.c', SHN_ABS, 'b.c']]);
    const byName = (n: string) => syms.find((s) => s.name === n)!;
    expect(byName('counter')).toMatchObject({ file: 'a.c', type: STT_OBJECT, size: 4 });
    expect(byName('total')).toMatchObject({ file: 'b.c', type: STT_OBJECT, size: 8 });
    // Symbols before the first STT_FILE (section symbols) have no file.
    expect(syms.slice(0, syms.indexOf(files[0]!)).every((s) => s.file === undefined)).toBe(true);
  });

  it('finds the ld --build-id note', () => {
    const m = /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', join(dir, 'ab.o')]));
    expect(m).not.toBeNull();
    expect(toHex(ab.buildId()!)).toBe(m![1]);
    expect(ab.buildId()).toHaveLength(20);
    expect(a.buildId()).toBeUndefined();
  });
});

// Fuzz-ish robustness: random corruptions and truncations of real and
// synthetic ELF files. Every operation must either succeed with sane values
// or throw ElfError; any other exception (RangeError, TypeError...) fails.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElfError, ElfFile, PT_LOAD, SHT_NOTE, SHT_RELA, SHT_STRTAB, parseHeader, readSectionHeaders } from '../../loader/elf/index.ts';
import { baseImage } from './writer.ts';
import { buildInTmp, readBytes } from './tools.ts';
import { prng } from '../helpers/random.ts';

const SRC = `static const char msg[] = "hello";
static int counter;
extern int ext_fn(const char *);
__attribute__((noipa)) static int helper(int x) { return x * 3 + counter; }
int entry(int x) { counter++; return helper(x) + ext_fn(msg); }
long table[] = { (long)&counter, (long)entry };
`;

/** Offsets worth hitting more often than chance: ELF header, header tables, symbol/reloc/note/string data. */
function structuralOffsets(bytes: Uint8Array): number[] {
  const elf = ElfFile.parse(bytes);
  const out: number[] = [];
  const addRange = (start: number, len: number) => {
    for (let i = 0; i < len; i++) out.push(start + i);
  };
  addRange(0, 64);
  addRange(elf.header.phoff, elf.header.phnum * elf.header.phentsize);
  addRange(elf.header.shoff, elf.header.shnum * elf.header.shentsize);
  for (const s of elf.sections) {
    if (s.type === 2 || s.type === 4 || s.type === 7) addRange(s.offset, s.size);
    if (s.type === SHT_STRTAB) addRange(s.offset + s.size - 4, 4);
  }
  return out;
}

interface Tally { ops: number; elfErrors: number; ok: number }

/** Runs every reader entry point independently, so one failure does not hide the rest. */
function exercise(bytes: Uint8Array, tally: Tally): void {
  const attempt = (fn: () => void) => {
    tally.ops++;
    try {
      fn();
      tally.ok++;
    } catch (e) {
      if (!(e instanceof ElfError)) throw e;
      if (typeof e.offset !== 'number' || Number.isNaN(e.offset)) throw new Error(`bad ElfError offset: ${e.message}`);
      tally.elfErrors++;
    }
  };
  // Plain checks (not expect) keep 2000 iterations fast.
  const check = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`insane value: ${what}`);
  };
  const int = (n: number) => check(Number.isInteger(n) && n >= 0, `${n} is not a non-negative integer`);
  attempt(() => {
    const h = parseHeader(bytes);
    for (const s of readSectionHeaders(bytes, h)) {
      int(s.offset);
      int(s.size);
      check(typeof s.name === 'string', 'section name');
    }
  });
  let elf: ElfFile | undefined;
  attempt(() => {
    elf = ElfFile.parse(bytes);
  });
  if (!elf) return;
  const f = elf;
  for (const s of f.sections) {
    attempt(() => check(f.sectionData(s).length === (s.type === 8 ? 0 : s.size), 'sectionData length'));
    if (s.type === SHT_NOTE) {
      attempt(() => {
        for (const n of f.notes(s)) int(n.desc.length);
      });
    }
    if (s.type === SHT_RELA) {
      attempt(() => {
        for (const r of f.relocations(s)) {
          int(r.sym);
          int(r.type);
        }
      });
    }
    if (s.type === SHT_STRTAB) attempt(() => check(typeof f.stringAt(s.index, 1) === 'string', 'stringAt'));
  }
  attempt(() => {
    for (const sym of f.symbols()) {
      int(sym.size);
      int(sym.shndx);
      check(typeof sym.value === 'bigint' && typeof sym.name === 'string', 'symbol fields');
    }
  });
  attempt(() => void f.buildId());
  for (const p of f.programHeaders) {
    if (p.type !== PT_LOAD) continue;
    const n = Math.min(p.memsz, 64);
    attempt(() => check(f.readAt(p.vaddr, n).length === n, 'readAt length'));
  }
  if (f.programHeaders.length) attempt(() => void f.readAt(0xffff82d040200000n, 16));
}

function fuzz(original: Uint8Array, iterations: number, seed: number): Tally {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const hot = structuralOffsets(original);
  const len = original.length;
  const interesting = [0, 1, 2, 3, 4, 7, 8, 12, 16, 23, 24, 55, 56, 63, 64, 0x7f, 0x80, 0xff, 0xff00, 0xfff1, 0xffff,
    len - 1, len, len + 1, 0x7fffffff, 0x80000000, 0xffffffff];
  const tally: Tally = { ops: 0, elfErrors: 0, ok: 0 };
  for (let i = 0; i < iterations; i++) {
    let bytes = original.slice();
    const view = new DataView(bytes.buffer);
    const mutations = 1 + (rand() < 0.2 ? Math.floor(rand() * 3) : 0);
    for (let m = 0; m < mutations; m++) {
      const kind = rand();
      const at = rand() < 0.7 ? pick(hot) : Math.floor(rand() * len);
      if (kind < 0.35) {
        bytes[at] = Math.floor(rand() * 256);
      } else if (kind < 0.8) {
        const width = pick([2, 4, 8]);
        if (at + width > bytes.length) continue;
        const v = rand() < 0.7 ? pick(interesting) : Math.floor(rand() * 0x1_0000_0000);
        if (width === 2) view.setUint16(at, v & 0xffff, true);
        else if (width === 4) view.setUint32(at, v >>> 0, true);
        else view.setBigUint64(at, rand() < 0.2 ? 0xffff_ffff_ffff_fff0n + BigInt(v & 0xf) : BigInt(v >>> 0), true);
      } else {
        bytes = bytes.slice(0, Math.floor(rand() * bytes.length));
      }
    }
    try {
      exercise(bytes, tally);
    } catch (e) {
      throw new Error(`iteration ${i} (seed ${seed}): ${(e as Error).stack}`);
    }
  }
  return tally;
}

let object: Uint8Array;
let dir: string;

beforeAll(() => {
  dir = buildInTmp({ 'f.c': SRC }, [
    ['gcc', '-O2', '-c', '-ffunction-sections', '-o', 'f0.o', 'f.c'],
    ['ld', '-r', '--build-id=sha1', '-o', 'f.o', 'f0.o'],
  ]);
  object = readBytes(join(dir, 'f.o'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fuzzing', () => {
  it('the pristine inputs parse cleanly', () => {
    for (const bytes of [object, baseImage().bytes]) {
      const tally: Tally = { ops: 0, elfErrors: 0, ok: 0 };
      exercise(bytes, tally);
      expect(tally.elfErrors).toBe(0);
    }
    // The object has relocations, a symbol table and a build-id note to corrupt.
    const elf = ElfFile.parse(object);
    expect(elf.sections.filter((s) => s.type === SHT_RELA).length).toBeGreaterThan(1);
    expect(elf.buildId()).toHaveLength(20);
  });

  it('2000 corruptions/truncations of a gcc object give success or ElfError only', () => {
    const t = fuzz(object, 2000, 0x5eed);
    // Both outcomes must actually occur, or the fuzzer is not reaching the checks.
    expect(t.elfErrors).toBeGreaterThan(500);
    expect(t.ok).toBeGreaterThan(t.elfErrors);
  });

  it('500 corruptions of a synthetic image with program headers', () => {
    const t = fuzz(baseImage().bytes, 500, 0xe1f);
    expect(t.elfErrors).toBeGreaterThan(100);
    expect(t.ok).toBeGreaterThan(t.elfErrors);
  });
});

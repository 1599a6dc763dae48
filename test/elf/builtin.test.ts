// The ELF reader against our own image, cross-checked with binutils.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ElfFile, ET_EXEC, PT_LOAD } from '../../loader/elf/index.ts';
import { BUILTIN_IMAGE } from '../../loader/image/index.ts';

it('reads the builtin image as readelf does', () => {
  const elf = ElfFile.parse(readFileSync(BUILTIN_IMAGE));
  expect(elf.header.type).toBe(ET_EXEC);
  const notes = execFileSync('readelf', ['-n', BUILTIN_IMAGE], { encoding: 'utf8' });
  expect(notes).toContain(`Build ID: ${Buffer.from(elf.buildId()!).toString('hex')}`);
  const syms = execFileSync('readelf', ['-sW', BUILTIN_IMAGE], { encoding: 'utf8' });
  const count = Number(/Symbol table '\.symtab' contains (\d+) entries/.exec(syms)![1]);
  expect(elf.symbols()).toHaveLength(count);
  const helpers = elf.symbols().filter((s) => s.name === 'helper').map((s) => s.file);
  expect(helpers.sort()).toEqual(['common/alpha.c', 'common/beta.c']);
  const segs = execFileSync('readelf', ['-lW', BUILTIN_IMAGE], { encoding: 'utf8' }).split('\n').filter((l) => /^\s+LOAD/.test(l));
  expect(elf.programHeaders.filter((p) => p.type === PT_LOAD)).toHaveLength(segs.length);
  const text = elf.section('.text')!;
  expect(Buffer.from(elf.readAt(text.addr, 16)).toString("hex")).toBe(Buffer.from(elf.sectionData(text).subarray(0, 16)).toString("hex"));
});

// The image's symbol table (kept as columns, statics' names built on demand) against a plain reading of the ELF
// symbol table done here the way Xen's tools/symbols.c names them: every name finds its first definition,
// duplicates and the count agree, and every address names the symbol the reference picks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfFile, SHN_ABS, SHN_UNDEF, STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION } from '../../loader/elf/index.ts';
import { SymbolTable, resolveImage } from '../../loader/image/index.ts';
import { TARGETS } from '../helpers/host.ts';

interface Ref { name: string; address: bigint; size: number; type: number; local: boolean; addressable: boolean }

function reference(elf: ElfFile): Ref[] {
  let file: string | undefined;
  const out: Ref[] = [];
  for (const s of elf.symbols()) {
    if (s.type === STT_FILE) file = s.name;
    if (!s.name || s.type === STT_FILE || s.type === STT_SECTION || s.shndx === SHN_UNDEF) continue;
    const local = s.bind === STB_LOCAL;
    out.push({ name: local && file !== undefined ? `${file}#${s.name}` : s.name, address: s.value, size: s.size, type: s.type, local, addressable: s.shndx !== SHN_ABS });
  }
  return out;
}

describe.each(TARGETS)('the symbol table of %s', (target) => {
  const elf = ElfFile.parse(readFileSync(resolveImage(target)));
  const ref = reference(elf);
  const table = SymbolTable.fromElf(elf);

  it('finds every name at its first definition; duplicates and the count agree', () => {
    const first = new Map<string, Ref>();
    const defs = new Map<string, number>();
    for (const r of ref) {
      if (!first.has(r.name)) first.set(r.name, r);
      defs.set(r.name, (defs.get(r.name) ?? 0) + 1);
    }
    // Half the lookups before the statics are indexed, half after (the table indexes them after a few).
    for (const [name, r] of first) expect(table.lookup(name), name).toMatchObject({ name, address: r.address, size: r.size, type: r.type, local: r.local });
    for (const [name, r] of first) expect(table.address(name)).toBe(r.address);
    expect(table.size).toBe(first.size);
    expect(new Map([...table.duplicates].map(([n, d]) => [n, d.length]))).toEqual(new Map([...defs].filter(([, n]) => n > 1)));
    expect([...table.all()].map((s) => s.name)).toEqual([...first.keys()]);
    expect(table.lookup('no_such_symbol')).toBeUndefined();
    expect(table.lookup('nosuch.c#no_such_symbol')).toBeUndefined();
  });

  it('names each address by the nearest symbol at or below it, functions before objects, globals before statics', () => {
    const rank = (r: Ref): number => (r.type === STT_FUNC ? 0 : r.type === STT_OBJECT ? 1 : 2) + (r.local ? 0.5 : 0);
    const sorted = ref.filter((r) => r.addressable).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : rank(a) - rank(b)));
    const expected = (a: bigint): Ref | undefined => {
      let best: Ref | undefined;
      for (const r of sorted) if (r.address <= a && (!best || r.address > best.address)) best = r;
      return best && (!best.size || a < best.address + BigInt(best.size)) ? best : undefined;
    };
    const probes = sorted.filter((_, i) => i % 37 === 0).flatMap((r) => [r.address, r.address + 1n, r.address - 1n]);
    for (const a of probes) expect(table.containing(a)?.name, `0x${a.toString(16)}`).toBe(expected(a)?.name);
  });
});

// Struct layouts read from DWARF (Debian 13's xen-syms-4.20 carries .debug_info; bookworm's 4.17 does not),
// checked member by member against gdb, which reads the same DWARF with its own reader.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { StructLayouts, DwarfError } from '../../loader/dwarf/index.ts';
import { ElfFile } from '../../loader/elf/index.ts';
import { PAYLOAD_4_20 } from '../../loader/abi.ts';
import { DEBIAN_420_IMAGE, DEBIAN_IMAGE } from '../../loader/image/index.ts';

// What xlp's hypervisor context and struct payload need, plus nested and anonymous members.
const PATHS = [
  'vcpu.domain', 'vcpu.vcpu_id', 'domain.domain_id', 'domain.options', 'domain.is_privileged', 'domain.handle',
  'cpu_info.guest_cpu_user_regs', 'cpu_info.processor_id', 'cpu_info.current_vcpu', 'cpu_info.per_cpu_offset',
  'cpu_info.guest_cpu_user_regs.rip', 'cpu_info.guest_cpu_user_regs.eflags', 'cpu_user_regs.bh',
  'payload.state', 'payload.rc', 'payload.funcs', 'payload.fstate', 'payload.nfuncs', 'payload.region',
  'payload.id', 'payload.dep', 'payload.hooks', 'payload.name', 'payload.metadata',
  'livepatch_func.new_size', 'livepatch_func.old_size', 'livepatch_func.expect', 'virtual_region.frame', 'virtual_region.ex', 'virtual_region.ex_end',
];
const SIZES = ['payload', 'livepatch_func', 'cpu_info', 'cpu_user_regs', 'virtual_region', 'livepatch_fstate'];

/** gdb's answers for every path and size in one batch run: `print/d` of an offsetof and a sizeof. */
function gdb(): Map<string, number> {
  const exprs = [
    ...PATHS.map((p) => {
      const [s, ...m] = p.split('.');
      return [p, `(long)&((struct ${s} *)0)->${m.join('.')}`] as const;
    }),
    ...SIZES.map((s) => [`sizeof ${s}`, `sizeof(struct ${s})`] as const),
  ];
  const out = execFileSync('gdb', ['-batch', '-nx', ...exprs.flatMap(([, e]) => ['-ex', `print/d ${e}`]), DEBIAN_420_IMAGE], { encoding: 'utf8' });
  const values = [...out.matchAll(/^\$\d+ = (-?\d+)$/gm)].map((r) => Number(r[1]));
  expect(values).toHaveLength(exprs.length);
  return new Map(exprs.map(([k], i) => [k, values[i]!]));
}

let layouts: StructLayouts;
let expected: Map<string, number>;
beforeAll(() => {
  layouts = StructLayouts.fromElf(ElfFile.parse(readFileSync(DEBIAN_420_IMAGE)))!;
  expected = gdb();
}, 120_000);

describe("struct layouts from Xen 4.20's DWARF", () => {
  it.each(PATHS)('%s at the offset gdb gives', (p) => {
    expect(layouts.offsetOf(p)).toBe(expected.get(p));
  });

  it.each(SIZES)('sizeof(struct %s) as gdb gives', (s) => {
    expect(layouts.get(s)?.size).toBe(expected.get(`sizeof ${s}`));
  });

  it('keeps bit fields: livepatch_expectation.len is 5 bits after the 1-bit enabled', () => {
    const l = layouts.get('livepatch_expectation')!;
    expect(l.members.slice(0, 3).map((m) => [m.name, m.bitOffset, m.bitSize])).toEqual([['enabled', 0, 1], ['len', 1, 5], ['rsv', 6, 2]]);
  });

  it('says undefined for what is absent, and nothing for an image without DWARF', () => {
    expect(layouts.offsetOf('vcpu.no_such_member')).toBeUndefined();
    expect(layouts.get('no_such_struct')).toBeUndefined();
    expect(StructLayouts.fromElf(ElfFile.parse(readFileSync(DEBIAN_IMAGE)))).toBeUndefined();
  });

  it('refuses truncated DWARF with a typed error', () => {
    const elf = ElfFile.parse(readFileSync(DEBIAN_420_IMAGE));
    const info = elf.section('.debug_info')!;
    const bytes = Buffer.from(elf.bytes);
    // Shrink the first unit's length field's section: the unit now runs past the end.
    const shdr = Number(elf.header.shoff) + elf.sections.indexOf(info) * 64;
    bytes.writeBigUInt64LE(64n, shdr + 32); // sh_size
    expect(() => StructLayouts.fromElf(ElfFile.parse(bytes))).toThrow(DwarfError);
  });
});

describe("xlp's table of struct payload for 4.20 (loader/abi.ts) against the image's DWARF", () => {
  const snake = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  it.each(Object.entries(PAYLOAD_4_20).filter(([k]) => k !== 'size'))('payload.%s', (field, offset) => {
    expect(layouts.offsetOf(`payload.${snake(field)}`)).toBe(offset);
  });
  it('has its size, and no xen_dep', () => {
    expect(layouts.get('payload')!.size).toBe(PAYLOAD_4_20.size);
    expect(layouts.offsetOf('payload.xen_dep')).toBeUndefined();
    expect(PAYLOAD_4_20.xenDep).toBeUndefined();
  });
});

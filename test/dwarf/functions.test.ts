// Function prototypes read from DWARF (Debian 13's xen-syms-4.20), checked against gdb's ptype (its own DWARF
// reader) and against the prototypes in Xen's headers (xen/include/xen/version.h, hypercall-defs.c).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CType, FunctionPrototypes } from '../../loader/dwarf/index.ts';
import { ElfFile } from '../../loader/elf/index.ts';
import { DEBIAN_420_IMAGE, DEBIAN_IMAGE } from '../../loader/image/index.ts';

// Return types that are not typedefs: gdb's ptype resolves a typedef'd return type, xlp keeps the name. The last
// two are out-of-line instances of inlined functions (DW_AT_abstract_origin: the prototype is the abstract one's).
const FUNCTIONS = [
  'xen_extra_version', 'xen_minor_version', 'do_xen_version', 'do_console_io', 'printk', 'xen_build_id', 'do_set_timer_op', 'memcpy',
  'cpu_notifier_call_chain', 'free_pirq_struct',
];

/** GCC names base types `long int`, `long unsigned int`; gdb prints `long`, `unsigned long`. */
function gdbSpelling(text: string): string {
  return text
    .replace(/\blong long unsigned int\b/g, 'unsigned long long').replace(/\blong long int\b/g, 'long long')
    .replace(/\blong unsigned int\b/g, 'unsigned long').replace(/\blong int\b/g, 'long')
    .replace(/\bshort unsigned int\b/g, 'unsigned short').replace(/\bshort int\b/g, 'short');
}

/** `ptype F` for each function in one gdb run: `type = RET (P1, P2, ...)`. */
function gdb(): Map<string, string> {
  const out = execFileSync('gdb', ['-batch', '-nx', ...FUNCTIONS.flatMap((f) => ['-ex', `ptype ${f}`]), DEBIAN_420_IMAGE], { encoding: 'utf8' });
  const lines = [...out.matchAll(/^type = (.*)$/gm)].map((m) => m[1]!);
  expect(lines).toHaveLength(FUNCTIONS.length);
  return new Map(FUNCTIONS.map((f, i) => [f, lines[i]!]));
}

let elf: ElfFile;
let protos: FunctionPrototypes;
let ptype: Map<string, string>;
const at = (name: string): bigint => elf.symbols().find((s) => s.name === name)!.value;
beforeAll(() => {
  elf = ElfFile.parse(readFileSync(DEBIAN_420_IMAGE));
  protos = FunctionPrototypes.fromElf(elf)!;
  ptype = gdb();
});

describe("function prototypes from Xen 4.20's DWARF", () => {
  it.each(FUNCTIONS)('%s as gdb prints its type', (fn) => {
    const p = protos.at(at(fn))!;
    const params = p.params.map((x) => gdbSpelling(x.type.text));
    if (p.variadic) params.push('...');
    const ret = gdbSpelling(p.returns.text);
    expect(`${ret}${ret.endsWith('*') ? '' : ' '}(${params.length ? params.join(', ') : 'void'})`).toBe(ptype.get(fn));
  });

  it("gives what Xen's headers declare: kinds, widths and parameter names", () => {
    const extra = protos.at(at('xen_extra_version'))!;
    expect([extra.name, extra.params, extra.variadic]).toEqual(['xen_extra_version', [], false]); // const char *xen_extra_version(void)
    expect(extra.returns).toMatchObject({ kind: 'pointer', to: { kind: 'int', bits: 8, char: true } });
    expect(protos.at(at('xen_minor_version'))!.returns).toMatchObject({ kind: 'int', bits: 32, signed: false }); // unsigned int
    const xv = protos.at(at('do_xen_version'))!; // long do_xen_version(int cmd, XEN_GUEST_HANDLE_PARAM(void) arg)
    expect(xv.returns).toMatchObject({ kind: 'int', bits: 64, signed: true });
    expect(xv.params.map((x) => [x.name, x.type.kind])).toEqual([['cmd', 'int'], ['arg', 'other']]);
    expect(xv.params[0]!.type).toMatchObject<Partial<CType>>({ kind: 'int', bits: 32, signed: true });
    expect(protos.at(at('printk'))!.variadic).toBe(true); // void printk(const char *fmt, ...)
  });

  it('says undefined inside a function, and nothing for an image without DWARF', () => {
    expect(protos.at(at('xen_extra_version') + 1n)).toBeUndefined();
    expect(FunctionPrototypes.fromElf(ElfFile.parse(readFileSync(DEBIAN_IMAGE)))).toBeUndefined();
  });
});

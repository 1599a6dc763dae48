// Every offset of the layout table is checked against the instruction it was read from: capstone disassembles
// the image at that place again, and the number in the instruction must give the recorded value. The values
// were read independently from `objdump -d` of Debian's xen-syms (see shared notes/xen-context.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disassemble, initDisassembler } from '../../emulator/cpu/disasm.ts';
import { readFileSync } from 'node:fs';
import { bootImage, type BootedImage } from '../../loader/boot.ts';
import { StructLayouts } from '../../loader/dwarf/index.ts';
import { ElfFile } from '../../loader/elf/index.ts';
import { DEBIAN_420_IMAGE } from '../../loader/image/index.ts';
import { XenContext, XenContextError, layoutOf } from '../../emulator/xen/context/context.ts';
import { FIELD_NAMES, KNOWN_LAYOUTS, derive } from '../../emulator/xen/context/layout.ts';
import { searchLayout } from '../../emulator/xen/context/layout-search.ts';

const DEBIAN = '151b373fd64b321593bf987fd923cd10dabadac4';
let debian: BootedImage;
let builtin: BootedImage;
beforeAll(async () => {
  await initDisassembler();
  debian = bootImage('debian');
  builtin = bootImage('builtin');
});
afterAll(() => {
  debian.machine.close();
  builtin.machine.close();
});

/** The one number in an AT&T operand list (immediate or displacement); `(%rdi)` is 0. */
function numberIn(operands: string, derivation: string): number {
  const m = derivation === 'mask' ? /^\$(0x[0-9a-f]+)/.exec(operands) : /(-?(?:0x[0-9a-f]+|\d+))?\(%r\w+\)/.exec(operands.replace(/^\$\S+, /, ''));
  if (!m) throw new Error(`no number in ${operands}`);
  const s = m[1] ?? '0';
  return s.startsWith('-') ? -Number(s.slice(1)) : Number(s);
}

describe("the layout table for Debian's xen-syms", () => {
  const entry = KNOWN_LAYOUTS.get(DEBIAN)!;

  it('covers every field, each once', () => {
    expect(entry.evidence.map((e) => e.field).sort()).toEqual([...FIELD_NAMES].sort());
  });

  it.each(entry.evidence.map((e) => [e.field, e] as const))('%s: the instruction is in the image and gives the value', (_f, e) => {
    const [fn, off] = e.at.split('+');
    const address = debian.image.symbol(fn!) + BigInt(off!);
    const [insn] = disassemble(debian.machine.read(address, 16), address, 1);
    expect(insn!.text).toBe(e.insn);
    expect(derive(e.derivation, numberIn(insn!.operands, e.derivation))).toBe(e.value);
  });

  it('has the offsets objdump shows (STACK_SIZE 0x8000, current_vcpu top-0x38, domain +0x10, is_privileged +0x1d1)', () => {
    const f = layoutOf(debian.image).fields;
    expect([f.stackSize, f.cpuInfoCurrentVcpu, f.vcpuDomain, f.domainOptions, f.domainIsPrivileged]).toEqual([0x8000, -0x38, 0x10, 0x13c, 0x1d1]);
  });
});

describe('an image not in the table', () => {
  it("the pattern search finds the same instructions in Debian's image as the table", () => {
    const byField = (l: readonly { field: string }[]) => [...l].sort((a, b) => a.field.localeCompare(b.field));
    expect(byField(searchLayout(debian.image))).toEqual(byField(KNOWN_LAYOUTS.get(DEBIAN)!.evidence));
  });

  it('the builtin image has none of those functions: every field is unknown and no context is made', () => {
    const l = layoutOf(builtin.image);
    expect(l.source).toBe('search');
    expect(l.unknown).toEqual(FIELD_NAMES);
    expect(() => XenContext.install(builtin.image, l)).toThrow(XenContextError);
    expect(() => XenContext.install(builtin.image, l)).toThrow(/unknown layout field\(s\) stackSize, cpuInfoCurrentVcpu, vcpuDomain, domainIsPrivileged/);
  });
});

describe("the pattern search on Debian 13's Xen 4.20 (not in the table)", () => {
  it("finds the offsets its DWARF gives, and leaves domain.pbuf unknown", () => {
    const x = bootImage('debian-4.20');
    try {
      const l = layoutOf(x.image);
      const dwarf = StructLayouts.fromElf(ElfFile.parse(readFileSync(DEBIAN_420_IMAGE)))!;
      const top = (f: string): number => dwarf.offsetOf(`cpu_info.${f}`)! - dwarf.get('cpu_info')!.size;
      expect(l.source).toBe('search');
      expect(l.unknown).toEqual(['domainPbuf']);
      expect(l.fields).toEqual({
        stackSize: 0x8000,
        cpuInfoCurrentVcpu: top('current_vcpu'),
        cpuInfoProcessorId: top('processor_id'),
        cpuInfoPerCpuOffset: top('per_cpu_offset'),
        vcpuVcpuInfo: dwarf.offsetOf('vcpu.vcpu_info_area.map'),
        vcpuDomain: dwarf.offsetOf('vcpu.domain'),
        domainId: dwarf.offsetOf('domain.domain_id'),
        domainOptions: dwarf.offsetOf('domain.options'),
        domainIsPrivileged: dwarf.offsetOf('domain.is_privileged'),
      });
    } finally {
      x.machine.close();
    }
  });
});

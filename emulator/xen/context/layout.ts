// Where Xen keeps what its code reads of the current vCPU and domain. Debian's xen-syms has no debug info, so
// each offset is read from an instruction of the image that uses it; the table below records, per image
// build-id, every field with that instruction (test/xen-context/layout.test.ts disassembles each one again).

import type { Machine } from '../machine.ts';

/** What the context needs of a loaded image (the loader's Image is one). */
export interface XenImageView {
  readonly name: string;
  readonly buildIdHex: string;
  readonly machine: Machine;
  readonly symbols: {
    address(name: string): bigint | undefined;
    lookup(name: string): { address: bigint; size: number } | undefined;
  };
}

/** The fields xlp writes or relies on, with how Xen's source names them. */
export const LAYOUT_FIELDS = {
  stackSize: 'STACK_SIZE (stacks are STACK_SIZE-aligned; struct cpu_info sits at the top)',
  cpuInfoProcessorId: 'struct cpu_info.processor_id, from the stack top',
  cpuInfoCurrentVcpu: 'struct cpu_info.current_vcpu, from the stack top',
  cpuInfoPerCpuOffset: 'struct cpu_info.per_cpu_offset, from the stack top',
  vcpuVcpuInfo: 'struct vcpu.vcpu_info',
  vcpuDomain: 'struct vcpu.domain',
  domainId: 'struct domain.domain_id',
  domainOptions: 'struct domain.options (bit 0 XEN_DOMCTL_CDF_hvm)',
  domainIsPrivileged: 'struct domain.is_privileged',
  domainPbuf: 'struct domain.pbuf (a domU\'s console line buffer)',
} as const;

export type LayoutField = keyof typeof LAYOUT_FIELDS;
export const FIELD_NAMES = Object.keys(LAYOUT_FIELDS) as LayoutField[];

/**
 * How the field's value follows from the number in the instruction: `disp` as is; `top` for a displacement
 * from `rsp | (STACK_SIZE - 1)`, which is the stack top minus one; `mask` for that OR mask (STACK_SIZE - 1).
 */
export type Derivation = 'disp' | 'top' | 'mask';

export interface FieldEvidence {
  field: LayoutField;
  /** The field's offset (from the stack top for cpu_info fields, negative), or STACK_SIZE. */
  value: number;
  /** `function+0xoffset` of the instruction. */
  at: string;
  /** The instruction as capstone prints it (AT&T). */
  insn: string;
  derivation: Derivation;
}

export interface XenLayout {
  readonly fields: Readonly<Partial<Record<LayoutField, number>>>;
  readonly evidence: readonly FieldEvidence[];
  /** Where the layout came from: the table (per build-id) or a search of this image's code. */
  readonly source: 'table' | 'search';
  readonly unknown: readonly LayoutField[];
}

/** The number an instruction's evidence gives for its field. */
export function derive(derivation: Derivation, n: number): number {
  return derivation === 'mask' ? n + 1 : derivation === 'top' ? n - 1 : n;
}

const ev = (field: LayoutField, at: string, insn: string, derivation: Derivation, value: number): FieldEvidence =>
  ({ field, at, insn, derivation, value });

/** Debian's xen-syms-4.17-amd64, 4.17.7+13 (offsets checked against the image's own instructions). */
const DEBIAN_4_17_7_13: readonly FieldEvidence[] = [
  ev('stackSize', 'do_xen_version+0x76', 'orq $0x7fff, %rax', 'mask', 0x8000),
  ev('cpuInfoCurrentVcpu', 'do_xen_version+0x7c', 'movq -0x37(%rax), %rax', 'top', -0x38),
  ev('vcpuDomain', 'do_xen_version+0x80', 'movq 0x10(%rax), %rax', 'disp', 0x10),
  ev('domainOptions', 'do_xen_version+0x84', 'testb $1, 0x13c(%rax)', 'disp', 0x13c),
  ev('domainIsPrivileged', 'do_xen_version+0x2b9', 'cmpb $0, 0x1d1(%rdx)', 'disp', 0x1d1),
  ev('cpuInfoProcessorId', 'do_console_io+0x254', 'movl -0x3f(%rdx), %eax', 'top', -0x40),
  ev('cpuInfoPerCpuOffset', 'get_cpu_maps+0x14', 'addq -0x2f(%rcx), %rax', 'top', -0x30),
  ev('vcpuVcpuInfo', 'do_console_io+0x3cb', 'movq 8(%rdi), %rax', 'disp', 0x8),
  ev('domainPbuf', 'do_console_io+0x369', 'movq 0x798(%r15), %rax', 'disp', 0x798),
  ev('domainId', 'guest_printk+0x31', 'movzwl (%rdi), %ecx', 'disp', 0),
];

/** Layouts by GNU build-id (hex). */
export const KNOWN_LAYOUTS: ReadonlyMap<string, { name: string; evidence: readonly FieldEvidence[] }> = new Map([
  ['151b373fd64b321593bf987fd923cd10dabadac4', { name: "Debian's xen-syms-4.17-amd64 4.17.7+13", evidence: DEBIAN_4_17_7_13 }],
]);

export function layoutFrom(evidence: readonly FieldEvidence[], source: XenLayout['source']): XenLayout {
  const fields: Partial<Record<LayoutField, number>> = {};
  for (const e of evidence) fields[e.field] = e.value;
  return { fields, evidence, source, unknown: FIELD_NAMES.filter((f) => fields[f] === undefined) };
}

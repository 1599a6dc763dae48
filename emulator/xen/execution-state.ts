// Xen's show_registers() (arch/x86/x86_64/traps.c, 4.17): the banner of print_xen_info(), the CPU, and the
// registers of a trap taken in hypervisor context, in Xen's layout. What WARN/BUG/ASSERT and fatal traps print.
import type { RegName } from '../cpu/unicorn.ts';

export interface RegisterSource {
  reg(name: RegName): bigint;
  symbolize(address: bigint): string;
}

const x16 = (v: bigint): string => BigInt.asUintN(64, v).toString(16).padStart(16, '0');
const x4 = (v: bigint): string => (v & 0xffffn).toString(16).padStart(4, '0');

/**
 * `banner` is print_xen_info()'s line. The emulated CPU has no FS/GS bases set (nothing boots it), so fsb,
 * gsb and gss read 0, as the registers would be.
 */
export function showRegisters(src: RegisterSource, banner: string, rip: bigint): string[] {
  const r = (n: RegName): string => x16(src.reg(n));
  const zero = x16(0n);
  return [
    banner,
    'CPU:    0',
    `RIP:    ${x4(src.reg('CS'))}:[<${x16(rip)}>] ${src.symbolize(rip)}`,
    `RFLAGS: ${r('RFLAGS')}   CONTEXT: hypervisor`,
    `rax: ${r('RAX')}   rbx: ${r('RBX')}   rcx: ${r('RCX')}`,
    `rdx: ${r('RDX')}   rsi: ${r('RSI')}   rdi: ${r('RDI')}`,
    `rbp: ${r('RBP')}   rsp: ${r('RSP')}   r8:  ${r('R8')}`,
    `r9:  ${r('R9')}   r10: ${r('R10')}   r11: ${r('R11')}`,
    `r12: ${r('R12')}   r13: ${r('R13')}   r14: ${r('R14')}`,
    `r15: ${r('R15')}   cr0: ${r('CR0')}   cr4: ${r('CR4')}`,
    `cr3: ${r('CR3')}   cr2: ${r('CR2')}`,
    `fsb: ${zero}   gsb: ${zero}   gss: ${zero}`,
    `ds: ${x4(src.reg('DS'))}   es: ${x4(src.reg('ES'))}   fs: ${x4(src.reg('FS'))}   gs: ${x4(src.reg('GS'))}   ` +
      `ss: ${x4(src.reg('SS'))}   cs: ${x4(src.reg('CS'))}`,
  ];
}

/** print_xen_info(): `----[ Xen-4.17.7  x86_64  debug=n  Not tainted ]----`. */
export function xenInfoBanner(version: string, buildInfo: string): string {
  return `----[ Xen-${version}  x86_64  ${buildInfo}  Not tainted ]----`;
}

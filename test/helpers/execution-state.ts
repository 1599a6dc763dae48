// What Xen prints after "Xen WARN at ..." (show_execution_state -> show_registers, arch/x86/x86_64/traps.c
// 4.17): the print_xen_info banner, the CPU, then the registers in Xen's layout. Checked line by line against
// the format strings of the source, with the RIP and RAX a test knows independently.
import { expect } from 'vitest';

const H16 = '[0-9a-f]{16}';
const H4 = '[0-9a-f]{4}';

export function expectRegisterDump(lines: readonly string[], rip: bigint, rax?: bigint): void {
  const x16 = (v: bigint): string => v.toString(16).padStart(16, '0');
  expect(lines).toHaveLength(13);
  expect(lines[0]).toMatch(/^----\[ Xen-\S+ {2}x86_64 {2}debug=[ny] {2}Not tainted \]----$/);
  expect(lines[1]).toBe('CPU:    0');
  expect(lines[2]).toMatch(new RegExp(`^RIP:    ${H4}:\\[<${x16(rip)}>\\] \\S+`));
  expect(lines[3]).toMatch(new RegExp(`^RFLAGS: ${H16}   CONTEXT: hypervisor$`));
  const three = (a: string, b: string, c: string): RegExp => new RegExp(`^${a} ${H16}   ${b} ${H16}   ${c} ${H16}$`);
  expect(lines[4]).toMatch(three('rax:', 'rbx:', 'rcx:'));
  if (rax !== undefined) expect(lines[4]!.slice(5, 21)).toBe(x16(rax));
  expect(lines[5]).toMatch(three('rdx:', 'rsi:', 'rdi:'));
  expect(lines[6]).toMatch(three('rbp:', 'rsp:', 'r8: '));
  expect(lines[7]).toMatch(three('r9: ', 'r10:', 'r11:'));
  expect(lines[8]).toMatch(three('r12:', 'r13:', 'r14:'));
  expect(lines[9]).toMatch(three('r15:', 'cr0:', 'cr4:'));
  expect(lines[10]).toMatch(new RegExp(`^cr3: ${H16}   cr2: ${H16}$`));
  expect(lines[11]).toMatch(three('fsb:', 'gsb:', 'gss:'));
  expect(lines[12]).toMatch(new RegExp(`^ds: ${H4}   es: ${H4}   fs: ${H4}   gs: ${H4}   ss: ${H4}   cs: ${H4}$`));
}

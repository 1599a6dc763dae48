// What Xen's trap handlers (arch/x86/traps.c, extable.c) do with a CPU exception taken in hypervisor code:
// #UD on a ud2 with a bug frame -> WARN/BUG/ASSERT/run_fn; otherwise the exception table of the region that
// contains RIP; otherwise the fault is fatal.
import type { Trap } from '../cpu/trap.ts';
import type { Console } from './console.ts';
import type { BugFrameInfo, RegionList } from './regions.ts';

export type XenTrapOutcome =
  | { kind: 'resume'; rip: bigint; note: string }
  | { kind: 'run_fn'; fn: bigint; resume: bigint }
  | { kind: 'fatal'; reason: string; bugFrame?: BugFrameInfo };

export const UD2 = [0x0f, 0x0b] as const;

export interface TrapEnvironment {
  regions: RegionList;
  console: Console;
  /** Bytes at a virtual address, or undefined when not mapped. */
  peek(address: bigint, length: number): Uint8Array | undefined;
}

export function handleTrap(t: Trap, env: TrapEnvironment): XenTrapOutcome {
  const region = env.regions.find(t.rip);
  if (t.vector === 6 && region) {
    const insn = env.peek(t.rip, 2);
    const frame = insn && insn[0] === UD2[0] && insn[1] === UD2[1] ? region.findBugFrame(t.rip) : undefined;
    if (frame) return bugFrameOutcome(frame, t.rip, env.console);
  }
  const cont = region?.searchExceptionTable(t.rip);
  if (cont !== undefined) return { kind: 'resume', rip: cont, note: 'exception table' };
  if (!region) return { kind: 'fatal', reason: 'fault outside any registered code region' };
  return { kind: 'fatal', reason: `no exception-table entry in ${region.name}` };
}

function bugFrameOutcome(f: BugFrameInfo, rip: bigint, console: Console): XenTrapOutcome {
  const where = `${f.file ?? '<unknown>'}:${f.line}`;
  switch (f.type) {
    case 'run_fn':
      return { kind: 'run_fn', fn: f.fn ?? 0n, resume: rip + 2n };
    case 'warn':
      console.print(`Xen WARN at ${where}`);
      return { kind: 'resume', rip: rip + 2n, note: 'WARN' };
    case 'bug':
      console.print(`Xen BUG at ${where}`);
      return { kind: 'fatal', reason: `Xen BUG at ${where}`, bugFrame: f };
    case 'assert':
      console.print(`Assertion '${f.message ?? '<unknown>'}' failed at ${where}`);
      return { kind: 'fatal', reason: `Assertion '${f.message ?? '<unknown>'}' failed at ${where}`, bugFrame: f };
  }
}

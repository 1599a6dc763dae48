// What Xen's trap handlers (arch/x86/traps.c do_invalid_op, extable.c) do with a CPU exception taken in
// hypervisor code: #UD on a ud2 with a bug frame -> WARN/BUG/ASSERT/run_fn; otherwise the exception table of
// the region that contains RIP; otherwise the fault is fatal.
import type { Trap, TrapOutcome } from '../cpu/trap.ts';
import type { Console } from './console.ts';
import type { BugFrameInfo, RegionList } from './regions.ts';

/** The CPU's outcomes, with run_in_exception_handler()'s call instead of a host closure (the Machine makes it). */
export type XenTrapOutcome = Exclude<TrapOutcome, { kind: 'host' }> | { kind: 'run_fn'; fn: bigint; resume: bigint };

export const UD2 = [0x0f, 0x0b] as const;
/** do_invalid_op()'s panic when nothing handles a #UD. */
export const FATAL_INVALID_OP = 'FATAL TRAP: vector = 6 (invalid opcode)';

export interface TrapEnvironment {
  regions: RegionList;
  console: Console;
  /** Bytes at a virtual address, or undefined when not mapped. */
  peek(address: bigint, length: number): Uint8Array | undefined;
  /** show_execution_state() at the trapping instruction: the lines Xen prints. */
  executionState(rip: bigint): string[];
}

export function handleTrap(t: Trap, env: TrapEnvironment): XenTrapOutcome {
  const region = env.regions.find(t.rip);
  if (t.vector === 6 && region) {
    const insn = env.peek(t.rip, 2);
    const frame = insn && insn[0] === UD2[0] && insn[1] === UD2[1] ? region.findBugFrame(t.rip) : undefined;
    const outcome = frame && bugFrameOutcome(frame, t.rip, env);
    if (outcome) return outcome;
  }
  // die: (do_invalid_op's label, and the other handlers) the exception table, else a fatal trap.
  const cont = region?.searchExceptionTable(t.rip);
  if (cont !== undefined) return { kind: 'resume', rip: cont, note: 'exception table' };
  if (t.vector === 6) {
    env.console.print(env.executionState(t.rip).join('\n'));
    return { kind: 'fatal', reason: FATAL_INVALID_OP };
  }
  if (!region) return { kind: 'fatal', reason: 'fault outside any registered code region' };
  return { kind: 'fatal', reason: `no exception-table entry in ${region.name}` };
}

/** Xen prints at most 50 characters of a file name: longer ones as `...` and their last 47. */
export function bugFrameFileName(file: string): string {
  return file.length > 50 ? `...${file.slice(file.length - 47)}` : file;
}

/** undefined: the frame's file pointer is neither in Xen nor in a payload, and Xen goes to `die`. */
function bugFrameOutcome(f: BugFrameInfo, rip: bigint, env: TrapEnvironment): XenTrapOutcome | undefined {
  if (f.type === 'run_fn') return { kind: 'run_fn', fn: f.fn ?? 0n, resume: rip + 2n };
  if (f.fileAddress !== undefined && !env.regions.holds(f.fileAddress)) return undefined;
  const where = `${bugFrameFileName(f.file ?? '<unknown>')}:${f.line}`;
  const say = (line: string): void => env.console.print([line, ...env.executionState(rip)].join('\n'));
  switch (f.type) {
    case 'warn':
      say(`Xen WARN at ${where}`);
      return { kind: 'resume', rip: rip + 2n, note: 'WARN' };
    case 'bug':
      say(`Xen BUG at ${where}`);
      return { kind: 'fatal', reason: `Xen BUG at ${where}` };
    case 'assert': {
      const held = f.messageAddress === undefined || env.regions.holds(f.messageAddress);
      const message = held ? (f.message ?? '<unknown>') : '<unknown>';
      say(`Assertion '${message}' failed at ${where}`);
      return { kind: 'fatal', reason: `Assertion '${message}' failed at ${where}` };
    }
  }
}

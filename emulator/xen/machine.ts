// The Xen environment around the generic CPU: what Xen's own code finds around it when called without a boot.
// Its stack is STACK_SIZE-aligned with a zeroed struct cpu_info on top (CPU 0, no current vCPU, per-CPU offset
// 0); faults are resolved through the registered virtual regions (exception tables, bug frames: WARN, BUG,
// run_in_exception_handler with a struct cpu_user_regs); the debug ports feed the console; fault reports
// carry Xen-style symbols and a backtrace.
import { Cpu, HOST_AREA, type MachineOptions, RETURN_SENTINEL } from '../cpu/cpu.ts';
import type { BacktraceFrame } from '../cpu/errors.ts';
import { PAGE_SIZE } from '../cpu/physical.ts';
import type { Trap, TrapOutcome } from '../cpu/trap.ts';
import { backtrace } from './backtrace.ts';
import { CONSOLE_BUFFER_PORT, CONSOLE_PORT, Console } from './console.ts';
import { encodeCpuUserRegs } from './cpu-user-regs.ts';
import { showRegisters, xenInfoBanner } from './execution-state.ts';
import { RegionList } from './regions.ts';
import { handleTrap } from './traps.ts';

/** Xen's STACK_SIZE (STACK_ORDER 3): per-CPU data is found by rounding RSP up to it (get_cpu_info()). */
export const STACK_SIZE = 0x8000;
/** The top page holds `struct cpu_info` (zeroed: CPU 0, no current vCPU, per-CPU offset 0). */
export const CPU_INFO_RESERVE = 0x1000;
/** The struct cpu_user_regs handed to run_in_exception_handler()'s function (in the CPU's host area). */
const EXCEPTION_FRAME = HOST_AREA + 0x1000n;

export class Machine extends Cpu {
  readonly regions = new RegionList();
  readonly console = new Console();
  /** print_xen_info()'s line in register dumps; the loaded image sets its own version and build info. */
  xenInfo = xenInfoBanner('unknown', 'debug=n');

  constructor(opts: MachineOptions = {}) {
    super(opts, { size: STACK_SIZE, reserve: CPU_INFO_RESERVE });
    try {
      this.map(EXCEPTION_FRAME, PAGE_SIZE, 'rw');
      this.uc.hookOut((port, _size, value) => this.onPortOut(port, value));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private onPortOut(port: number, value: number): void {
    if (port === CONSOLE_PORT) this.console.putByte(value & 0xff);
    else if (port === CONSOLE_BUFFER_PORT) {
      const len = Number(this.reg('RSI'));
      const text = len > 0 && len <= 1 << 16 ? this.peek(this.reg('RDI'), len) : undefined;
      if (text) this.console.write(text.toString('latin1'));
    }
  }

  override symbolize(address: bigint): string {
    return this.regions.symbolize(address);
  }

  /** show_execution_state(): the registers as they are at the trap (Xen then shows code and stack too). */
  executionState(rip: bigint): string[] {
    return showRegisters(this, this.xenInfo, rip);
  }

  override backtrace(rip: bigint, rsp: bigint, max = 16): BacktraceFrame[] {
    return backtrace(this, rip, rsp, RETURN_SENTINEL, max);
  }

  protected override handleTrap(trap: Trap): TrapOutcome {
    const outcome = handleTrap(trap, this);
    if (outcome.kind !== 'run_fn') return outcome;
    return { kind: 'host', run: () => this.runInExceptionHandler(outcome.fn, trap, outcome.resume) };
  }

  /** run_in_exception_handler(): call fn(struct cpu_user_regs *) and resume after the ud2 with all registers intact. */
  private runInExceptionHandler(fn: bigint, trap: Trap, resume: bigint): bigint {
    const saved = this.saveRegisters();
    this.write(EXCEPTION_FRAME, encodeCpuUserRegs(saved, trap.vector, trap.rip));
    this.call(fn, [EXCEPTION_FRAME]);
    this.restoreRegisters(saved);
    this.fixups.push({ vector: 6, rip: trap.rip, resume, note: 'run_fn' });
    return resume;
  }
}


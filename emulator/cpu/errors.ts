// Typed errors of the emulated machine. A guest fault never escapes as a Node crash: it becomes a GuestFault.

export const VECTOR_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS', 11: '#NP', 12: '#SS',
  13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

export interface BacktraceFrame {
  address: bigint;
  symbol: string;
}

export interface FaultReport {
  vector: number;
  rip: bigint;
  /** RIP as `symbol+0xoff` (or hex when no region knows it). */
  where: string;
  cr2?: bigint;
  errorCode?: number;
  /** Why the fault was fatal: as the environment words it (e.g. "no exception-table entry") */
  reason: string;
  registers: Record<string, bigint>;
  backtrace: BacktraceFrame[];
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

export function formatFault(r: FaultReport): string {
  const lines = [`${VECTOR_NAMES[r.vector] ?? 'vector'} (vector ${r.vector}) at ${r.where} [${hex(r.rip)}]: ${r.reason}`];
  if (r.cr2 !== undefined) lines.push(`  CR2 ${hex(r.cr2)}  error code ${hex(BigInt(r.errorCode ?? 0))}`);
  else if (r.errorCode !== undefined) lines.push(`  error code ${hex(BigInt(r.errorCode))}`);
  const regs = Object.entries(r.registers).map(([k, v]) => `${k.toLowerCase()} ${v.toString(16).padStart(16, '0')}`);
  for (let i = 0; i < regs.length; i += 4) lines.push(`  ${regs.slice(i, i + 4).join('  ')}`);
  if (r.backtrace.length) {
    lines.push('  backtrace:');
    for (const f of r.backtrace) lines.push(`    ${hex(f.address)} ${f.symbol}`);
  }
  return lines.join('\n');
}

/** A CPU exception that no handler fixed up. */
export class GuestFault extends Error {
  constructor(readonly report: FaultReport) {
    super(formatFault(report));
    this.name = 'GuestFault';
  }
  get vector(): number {
    return this.report.vector;
  }
  get rip(): bigint {
    return this.report.rip;
  }
}

/** The guest ran past its instruction or wall-clock budget (e.g. an endless loop). */
export class GuestTimeout extends Error {
  constructor(readonly limit: string, readonly rip: bigint, readonly where: string) {
    super(`guest did not return within ${limit}; stopped at ${where} [${hex(rip)}]`);
    this.name = 'GuestTimeout';
  }
}

/** How a guest call that did not return ended, as reports keep it (vector -1: it hit the time limit). */
export interface CallStop {
  vector: number;
  where: string;
  reason: string;
}

/** The CallStop of a GuestFault or GuestTimeout; undefined for any other error. */
export function callStopOf(e: unknown): CallStop | undefined {
  if (e instanceof GuestFault) return { vector: e.report.vector, where: e.report.where, reason: e.report.reason };
  if (e instanceof GuestTimeout) return { vector: -1, where: e.where, reason: e.message };
  return undefined;
}

/** Misuse of the machine by the host: unmapped address, overlapping mapping, out of memory. */
export class MachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineError';
  }
}

/** The host touched a guest address no page maps (in a host function, the guest would take a #PF there). */
export class UnmappedAddress extends MachineError {
  constructor(readonly address: bigint, readonly write: boolean) {
    super(`guest address 0x${address.toString(16)} is not mapped`);
    this.name = 'UnmappedAddress';
  }
}

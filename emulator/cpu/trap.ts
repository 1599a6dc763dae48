// A CPU exception taken in guest code, and what the environment (the "OS" around the CPU) makes of it.

export interface Trap {
  vector: number;
  /** Faulting instruction (faults) or the next one (int3, a trap). */
  rip: bigint;
  cr2?: bigint;
  errorCode?: number;
}

export type TrapOutcome =
  /** Continue at `rip` (a fixup); recorded in Cpu.fixups with `note`. */
  | { kind: 'resume'; rip: bigint; note: string }
  /** Stop the CPU, run `run` on the host (it may call guest code), continue at the address it returns. */
  | { kind: 'host'; run: () => bigint }
  /** The call ends with a GuestFault giving `reason`. */
  | { kind: 'fatal'; reason: string };

/** Vectors that push an error code. */
export const ERROR_CODE_VECTORS: ReadonlySet<number> = new Set([8, 10, 11, 12, 13, 14, 17]);

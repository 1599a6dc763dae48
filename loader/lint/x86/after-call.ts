// Does code after a call rely on a call-clobbered register keeping its value? That is what -fipa-ra allows
// when gcc knows the callee does not touch it. Follows the fall-through path (and direct jumps inside the
// function) until the value is overwritten, another call, a return, or an instruction regs.ts does not model.
import { BranchKind, decode, endsFlow } from './decode.ts';
import { REG_NAMES, regEffects } from './regs.ts';

/** Argument and scratch registers the SysV ABI lets a callee clobber; rax/rdx also carry return values. */
const CLOBBERED = (1 << 1) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11); // rcx rsi rdi r8-r11
const MAX_STEPS = 48;

export interface RelianceEvidence {
  /** Offset (in `data`) of the instruction that reads the register. */
  at: number;
  length: number;
  registers: string[];
}

/** `from`: offset just after the call; [start, end) bounds the calling function in `data`. */
export function relianceAfterCall(data: Uint8Array, from: number, start: number, end: number): RelianceEvidence | undefined {
  let killed = 0;
  let p = from;
  for (let step = 0; step < MAX_STEPS && p >= start && p < end; step++) {
    const insn = decode(data, p, end);
    if (!insn || insn.branch === BranchKind.Call) return undefined;
    if (insn.branch === BranchKind.Jmp) {
      if (Number.isNaN(insn.target)) return undefined;
      p = insn.target; // stays within [start, end) or the loop ends
      continue;
    }
    if (endsFlow(insn)) return undefined;
    const fx = regEffects(data, insn);
    if (!fx) return undefined;
    const relied = fx.reads & ~killed & CLOBBERED;
    if (relied) {
      return { at: p, length: insn.length, registers: REG_NAMES.filter((_, r) => relied & (1 << r)).map((n) => `%${n}`) };
    }
    killed |= fx.writes;
    p += insn.length;
  }
  return undefined;
}

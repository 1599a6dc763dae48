// Xen's struct cpu_user_regs (public/arch-x86/xen-x86_64.h), as the exception entry code saves it: what
// run_in_exception_handler() hands its function.
import type { RegName } from '../cpu/unicorn.ts';

export const CPU_USER_REGS_SIZE = 200;

/** The saved general registers, in struct order from offset 0. */
const SAVED: RegName[] = ['R15', 'R14', 'R13', 'R12', 'RBP', 'RBX', 'R11', 'R10', 'R9', 'R8', 'RAX', 'RCX', 'RDX', 'RSI', 'RDI'];
const ENTRY_VECTOR = 124;
const RIP = 128;
const RFLAGS = 144;
const RSP = 152;

/** The frame of an exception `vector` taken at `rip` with the registers `regs`. */
export function encodeCpuUserRegs(regs: ReadonlyMap<RegName, bigint>, vector: number, rip: bigint): Buffer {
  const frame = Buffer.alloc(CPU_USER_REGS_SIZE);
  SAVED.forEach((r, i) => frame.writeBigUInt64LE(regs.get(r)!, i * 8));
  frame.writeUInt32LE(vector, ENTRY_VECTOR);
  frame.writeBigUInt64LE(rip, RIP);
  frame.writeBigUInt64LE(regs.get('RFLAGS')!, RFLAGS);
  frame.writeBigUInt64LE(regs.get('RSP')!, RSP);
  return frame;
}

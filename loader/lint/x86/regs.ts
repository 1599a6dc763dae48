// Which general-purpose registers an instruction reads and (fully) writes, for the common integer forms gcc
// emits around calls. Anything else is "unknown" and the caller must stop: the analysis only ever claims what
// it has decoded.
import { BranchKind, OpMap, type Insn } from './decode.ts';

export const REG_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12',
  'r13', 'r14', 'r15'] as const;

export const RAX = 1 << 0;
export const RCX = 1 << 1;
export const RDX = 1 << 2;
export const RSI = 1 << 6;
export const RDI = 1 << 7;

export interface RegEffects {
  /** Bit n = register n is read. */
  reads: number;
  /**
   * Bit n = register n is overwritten entirely (64-bit, or 32-bit which zero-extends). 8/16-bit writes keep
   * the upper bits and so do not count.
   */
  writes: number;
}

const bit = (r: number): number => 1 << r;

/** The register operand(s) a ModRM byte names: `reg` field, and `rm` when mod == 3. */
function fields(i: Insn): { reg: number; rm: number; regForm: boolean } {
  const m = i.modrm;
  return {
    reg: ((m >> 3) & 7) | ((i.rex & 4) << 1),
    rm: (m & 7) | ((i.rex & 1) << 3),
    regForm: m >> 6 === 3,
  };
}

/** Registers used to form the address of a memory operand (none for a register operand or RIP-relative). */
function addressRegs(b: Uint8Array, i: Insn): number {
  const m = i.modrm;
  const mod = m >> 6;
  if (mod === 3) return 0;
  const rm = m & 7;
  if (rm === 5 && mod === 0) return 0; // RIP-relative
  if (rm !== 4) return bit(rm | ((i.rex & 1) << 3));
  const sib = b[i.pos + i.modrmAt + 1]!;
  const base = (sib & 7) | ((i.rex & 1) << 3);
  const index = ((sib >> 3) & 7) | ((i.rex & 2) << 2);
  let regs = 0;
  if (!((sib & 7) === 5 && mod === 0)) regs |= bit(base);
  if (index !== 4) regs |= bit(index);
  return regs;
}

/** What `i` reads and writes, or undefined if this module does not model it. */
export function regEffects(b: Uint8Array, i: Insn): RegEffects | undefined {
  if (i.vector) return undefined;
  const op = i.opcode;
  const wide = !i.opsize16; // 32- or 64-bit operand: a register write replaces the whole register
  if (i.map === OpMap.One) return oneByte(b, i, op, wide);
  if (i.map === OpMap.Two) return twoByte(b, i, op, wide);
  return undefined;
}

function rmRead(b: Uint8Array, i: Insn): number {
  const f = fields(i);
  return f.regForm ? bit(f.rm) : addressRegs(b, i);
}

function oneByte(b: Uint8Array, i: Insn, op: number, wide: boolean): RegEffects | undefined {
  // ALU blocks: add/or/adc/sbb/and/sub/xor/cmp.
  if (op < 0x40 && (op & 7) < 6) {
    const kind = op >> 3;
    const form = op & 7;
    if (form >= 4) return { reads: RAX, writes: kind !== 7 && form === 5 && wide ? RAX : 0 };
    const f = fields(i);
    const byteOp = (form & 1) === 0;
    const toReg = form >= 2;
    const zeroing = f.regForm && f.reg === f.rm && (kind === 5 || kind === 6); // sub/xor r,r
    const full = kind !== 7 && !byteOp && wide;
    if (zeroing) return { reads: 0, writes: full ? bit(f.reg) : 0 };
    const reads = bit(f.reg) | rmRead(b, i);
    const writes = !full ? 0 : toReg ? bit(f.reg) : f.regForm ? bit(f.rm) : 0;
    return { reads, writes };
  }
  const f = i.modrm >= 0 ? fields(i) : undefined;
  switch (op) {
    case 0x88: case 0x89: // mov r/m, r
      return { reads: bit(f!.reg) | (f!.regForm ? 0 : addressRegs(b, i)), writes: op === 0x89 && wide && f!.regForm ? bit(f!.rm) : 0 };
    case 0x8a: case 0x8b: // mov r, r/m
      return { reads: rmRead(b, i), writes: op === 0x8b && wide ? bit(f!.reg) : 0 };
    case 0x8d: // lea
      return { reads: addressRegs(b, i), writes: wide ? bit(f!.reg) : 0 };
    case 0x63: // movsxd
      return { reads: rmRead(b, i), writes: wide ? bit(f!.reg) : 0 };
    case 0x84: case 0x85: // test
      return { reads: bit(f!.reg) | rmRead(b, i), writes: 0 };
    case 0xa8: case 0xa9:
      return { reads: RAX, writes: 0 };
    case 0x80: case 0x81: case 0x83: { // group 1 with an immediate
      const cmp = (i.modrm >> 3 & 7) === 7;
      return { reads: rmRead(b, i), writes: !cmp && op !== 0x80 && wide && f!.regForm ? bit(f!.rm) : 0 };
    }
    case 0xc6: case 0xc7: // mov r/m, imm
      if ((i.modrm >> 3 & 7) !== 0) return undefined;
      return { reads: f!.regForm ? 0 : addressRegs(b, i), writes: op === 0xc7 && wide && f!.regForm ? bit(f!.rm) : 0 };
    case 0x69: case 0x6b: // imul r, r/m, imm
      return { reads: rmRead(b, i), writes: wide ? bit(f!.reg) : 0 };
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: { // shifts and rotates
      const count = op === 0xd2 || op === 0xd3 ? RCX : 0;
      const full = (op & 1) === 1 && wide && f!.regForm;
      return { reads: rmRead(b, i) | count, writes: full ? bit(f!.rm) : 0 };
    }
    case 0xfe: case 0xff: {
      const sub = i.modrm >> 3 & 7;
      if (sub > 1) return undefined; // calls, jumps, push: handled as control flow by the caller
      return { reads: rmRead(b, i), writes: op === 0xff && wide && f!.regForm ? bit(f!.rm) : 0 };
    }
    case 0xf6: case 0xf7: {
      const sub = i.modrm >> 3 & 7;
      const full = op === 0xf7 && wide;
      if (sub <= 1) return { reads: rmRead(b, i), writes: 0 }; // test
      if (sub <= 3) return { reads: rmRead(b, i), writes: full && f!.regForm ? bit(f!.rm) : 0 }; // not, neg
      // mul/imul/div/idiv: rdx:rax.
      const reads = rmRead(b, i) | RAX | (sub >= 6 ? RDX : 0);
      return { reads, writes: full ? RAX | RDX : 0 };
    }
    case 0x98: return { reads: RAX, writes: wide ? RAX : 0 };
    case 0x99: return { reads: RAX, writes: wide ? RDX : 0 };
    case 0x90: return i.rex & 1 ? { reads: bit(8) | RAX, writes: bit(8) | RAX } : { reads: 0, writes: 0 };
    case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf: {
      // String instructions use rsi/rdi (and rcx with a rep prefix, rax for stos/scas) implicitly.
      const rep = i.rep ? RCX : 0;
      const acc = op >= 0xaa ? RAX : 0;
      const src = op === 0xaa || op === 0xab || op === 0xae || op === 0xaf ? 0 : RSI;
      const dst = op === 0xac || op === 0xad ? 0 : RDI;
      return { reads: rep | acc | src | dst, writes: src | dst | rep };
    }
  }
  if (op >= 0x50 && op <= 0x57) return { reads: bit((op & 7) | ((i.rex & 1) << 3)), writes: 0 }; // push
  if (op >= 0x58 && op <= 0x5f) return { reads: 0, writes: bit((op & 7) | ((i.rex & 1) << 3)) }; // pop
  if (op >= 0xb8 && op <= 0xbf) return { reads: 0, writes: wide ? bit((op & 7) | ((i.rex & 1) << 3)) : 0 };
  if (op >= 0xb0 && op <= 0xb7) return { reads: 0, writes: 0 };
  if (op === 0x68 || op === 0x6a) return { reads: 0, writes: 0 };
  if (i.branch === BranchKind.Cond && op >= 0x70 && op <= 0x7f) return { reads: 0, writes: 0 };
  return undefined;
}

function twoByte(b: Uint8Array, i: Insn, op: number, wide: boolean): RegEffects | undefined {
  const f = i.modrm >= 0 ? fields(i) : undefined;
  if (op >= 0x40 && op <= 0x4f) return { reads: bit(f!.reg) | rmRead(b, i), writes: 0 }; // cmov: conditional
  if (op >= 0x90 && op <= 0x9f) return { reads: f!.regForm ? 0 : addressRegs(b, i), writes: 0 }; // setcc
  if (op >= 0x80 && op <= 0x8f) return { reads: 0, writes: 0 }; // jcc
  if (op >= 0xc8 && op <= 0xcf) {
    const r = bit((op & 7) | ((i.rex & 1) << 3));
    return { reads: r, writes: r }; // bswap
  }
  switch (op) {
    case 0x1e: case 0x1f: case 0x18: case 0x0d: // endbr, multi-byte nop, prefetch
      return { reads: 0, writes: 0 };
    case 0xb6: case 0xb7: case 0xbe: case 0xbf: // movzx, movsx
    case 0xbc: case 0xbd: case 0xb8: // bsf/tzcnt, bsr/lzcnt, popcnt
      return { reads: rmRead(b, i), writes: wide ? bit(f!.reg) : 0 };
    case 0xaf: // imul r, r/m
      return { reads: bit(f!.reg) | rmRead(b, i), writes: wide ? bit(f!.reg) : 0 };
    case 0xa3: case 0xba: // bt
      return { reads: (op === 0xa3 ? bit(f!.reg) : 0) | rmRead(b, i), writes: 0 };
  }
  return undefined;
}

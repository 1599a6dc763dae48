// An x86-64 instruction decoder that finds instruction boundaries, branch targets and the ModRM/REX fields the
// register analysis needs. capstone-wasm needs ~1.3 s for Debian's .text and fails on x86_emulate (145 KiB in
// one call); this needs a few tens of ms. Checked instruction by instruction against objdump (test/lint).

/** Opcode maps: legacy one-byte, 0F, 0F38, 0F3A; VEX/EVEX/XOP instructions say which one they use. */
export const enum OpMap {
  One = 0,
  Two = 1,
  Three38 = 2,
  Three3A = 3,
  Xop8 = 8,
  Xop9 = 9,
  XopA = 10,
}

export const enum BranchKind {
  None = 0,
  Call = 1,
  Jmp = 2,
  /** Conditional: Jcc, LOOPcc, JRCXZ, XBEGIN (control may continue after it). */
  Cond = 3,
}

export interface Insn {
  /** Offset of the first byte in the buffer. */
  pos: number;
  length: number;
  map: OpMap;
  opcode: number;
  /** -1 when the instruction has none. */
  modrm: number;
  /** Offset of the ModRM byte within the instruction (the SIB byte, if any, follows it). */
  modrmAt: number;
  /** 0 when absent. */
  rex: number;
  /** Operand-size prefix 66 (not consumed as a mandatory SSE prefix here: callers only look at GPR forms). */
  opsize16: boolean;
  /** The last F2/F3 prefix (REPNE/REP), 0 if none. */
  rep: number;
  /** Encoded with VEX, EVEX or XOP (never touches GPRs the way legacy forms do). */
  vector: boolean;
  /** Offset of the immediate within the instruction (0 if none) and its size. */
  immAt: number;
  immSize: number;
  branch: BranchKind;
  /** Buffer offset a relative branch goes to (NaN for indirect or no branch). */
  target: number;
}

const enum Imm {
  None = 0,
  B = 1,
  W = 2,
  /** 16 or 32 bits (operand size). */
  Z = 3,
  /** 16, 32 or 64 bits: MOV r, imm (B8+r). */
  V = 4,
  /** ENTER: imm16 + imm8. */
  WB = 5,
  /** moffs: 64-bit address (32 with 67). */
  Moffs = 6,
  /** F6/F7: imm8/immz only for TEST (/0, /1). */
  Group3 = 7,
  /** SSE4a EXTRQ/INSERTQ (66/F2 0F 78): two imm8. */
  BB = 8,
}

// Per one-byte opcode: bit 7 = has ModRM, bits 0-3 = Imm kind; 0xff = invalid in 64-bit mode.
const ONE = new Uint8Array(256);
const TWO = new Uint8Array(256);
const INVALID = 0xff;
const M = 0x80;

function fill(table: Uint8Array, ops: Iterable<number>, v: number): void {
  for (const o of ops) table[o] = v;
}
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// ALU blocks 00-3F: op r/m,r (4 forms with ModRM), AL,imm8, eAX,immz; 26/2E/36/3E are prefixes.
for (let base = 0; base < 0x40; base += 8) {
  fill(ONE, range(base, base + 3), M);
  ONE[base + 4] = Imm.B;
  ONE[base + 5] = Imm.Z;
}
fill(ONE, [0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f], INVALID);
fill(ONE, [0x60, 0x61, 0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea], INVALID);
ONE[0x63] = M;
ONE[0x68] = Imm.Z;
ONE[0x69] = M | Imm.Z;
ONE[0x6a] = Imm.B;
ONE[0x6b] = M | Imm.B;
fill(ONE, range(0x70, 0x7f), Imm.B);
ONE[0x80] = M | Imm.B;
ONE[0x81] = M | Imm.Z;
ONE[0x83] = M | Imm.B;
fill(ONE, range(0x84, 0x8f), M);
fill(ONE, range(0xa0, 0xa3), Imm.Moffs);
ONE[0xa8] = Imm.B;
ONE[0xa9] = Imm.Z;
fill(ONE, range(0xb0, 0xb7), Imm.B);
fill(ONE, range(0xb8, 0xbf), Imm.V);
ONE[0xc0] = M | Imm.B;
ONE[0xc1] = M | Imm.B;
ONE[0xc2] = Imm.W;
ONE[0xc6] = M | Imm.B;
ONE[0xc7] = M | Imm.Z;
ONE[0xc8] = Imm.WB;
ONE[0xca] = Imm.W;
ONE[0xcd] = Imm.B;
fill(ONE, range(0xd0, 0xd3), M);
fill(ONE, range(0xd8, 0xdf), M);
fill(ONE, range(0xe0, 0xe7), Imm.B);
ONE[0xe8] = Imm.Z;
ONE[0xe9] = Imm.Z;
ONE[0xeb] = Imm.B;
ONE[0xf6] = M | Imm.Group3;
ONE[0xf7] = M | Imm.Group3;
ONE[0xfe] = M;
ONE[0xff] = M;

// 0F map: ModRM almost everywhere.
fill(TWO, range(0x00, 0xff), M);
fill(TWO, [0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x77], 0);
fill(TWO, [0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa], 0);
fill(TWO, range(0xc8, 0xcf), 0);
fill(TWO, range(0x80, 0x8f), Imm.Z);
fill(TWO, [0x0f, 0x70, 0x71, 0x72, 0x73, 0xa4, 0xac, 0xba, 0xc2, 0xc4, 0xc5, 0xc6], M | Imm.B);
fill(TWO, [0x04, 0x0a, 0x0c, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x7a, 0x7b], INVALID);

/** VEX/EVEX map-1 opcodes that carry an imm8 (the rest of map 1 has none; map 3 always has one). */
const VEX_IMM1 = new Set([0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6]);

const MAX_INSN = 15;

/** Length of ModRM + SIB + displacement starting at `p`, or -1 if it runs past `end`. */
function modrmLength(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const m = b[p]!;
  const mod = m >> 6;
  const rm = m & 7;
  let n = 1;
  if (mod === 3) return n;
  if (rm === 4) {
    if (p + 1 >= end) return -1;
    n++;
    if (mod === 0 && (b[p + 1]! & 7) === 5) n += 4;
  } else if (mod === 0 && rm === 5) {
    n += 4; // RIP-relative
  }
  if (mod === 1) n += 1;
  else if (mod === 2) n += 4;
  return n;
}

function readRel(b: Uint8Array, p: number, size: number): number {
  if (size === 1) return (b[p]! << 24) >> 24;
  if (size === 2) return ((b[p]! | (b[p + 1]! << 8)) << 16) >> 16;
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/**
 * The instruction at `pos` (not reading at or past `end`), or undefined if the bytes are not a valid
 * 64-bit-mode instruction or are truncated.
 */
export function decode(b: Uint8Array, pos: number, end: number): Insn | undefined {
  const limit = Math.min(end, pos + MAX_INSN);
  let p = pos;
  let rex = 0;
  let opsize16 = false;
  let addr32 = false;
  let rep = 0; // last F2/F3
  for (; p < limit; p++) {
    const c = b[p]!;
    if ((c & 0xf0) === 0x40) {
      rex = c;
      continue;
    }
    if (!isLegacyPrefix(c)) break;
    rex = 0; // REX counts only right before the opcode
    if (c === 0x66) opsize16 = true;
    else if (c === 0x67) addr32 = true;
    else if (c === 0xf2 || c === 0xf3) rep = c;
  }
  if (p >= limit) return undefined;

  const op0 = b[p]!;
  // VEX (C4/C5), EVEX (62) and XOP (8F with map >= 8) are always vector encodings in 64-bit mode.
  if (op0 === 0xc4 || op0 === 0xc5 || op0 === 0x62 || (op0 === 0x8f && p + 1 < limit && (b[p + 1]! & 0x1f) >= 8)) {
    return decodeVector(b, pos, p, limit, rex, opsize16);
  }

  let map = OpMap.One;
  let op = op0;
  let info: number;
  p++;
  if (op0 === 0x0f) {
    if (p >= limit) return undefined;
    op = b[p++]!;
    if (op === 0x38 || op === 0x3a) {
      if (p >= limit) return undefined;
      map = op === 0x38 ? OpMap.Three38 : OpMap.Three3A;
      op = b[p++]!;
      info = M | (map === OpMap.Three3A ? Imm.B : Imm.None);
    } else {
      map = OpMap.Two;
      info = TWO[op]!;
      if (op === 0x78 && (opsize16 || rep === 0xf2)) info = M | Imm.BB;
    }
  } else {
    info = ONE[op]!;
  }
  if (info === INVALID) return undefined;

  let modrm = -1;
  let modrmAt = 0;
  if (info & M) {
    const n = modrmLength(b, p, limit);
    if (n < 0) return undefined;
    modrm = b[p]!;
    modrmAt = p - pos;
    p += n;
  }
  const wide = (rex & 8) !== 0;
  let immSize = 0;
  switch (info & 0x0f) {
    case Imm.B: immSize = 1; break;
    case Imm.W: immSize = 2; break;
    case Imm.Z: immSize = opsize16 && !isNearBranch(map, op) ? 2 : 4; break;
    case Imm.V: immSize = wide ? 8 : opsize16 ? 2 : 4; break;
    case Imm.WB: immSize = 3; break;
    case Imm.Moffs: immSize = addr32 ? 4 : 8; break;
    case Imm.Group3: if (((modrm >> 3) & 7) < 2) immSize = op === 0xf6 ? 1 : opsize16 ? 2 : 4; break;
    case Imm.BB: immSize = 2; break;
  }
  const immAt = immSize ? p - pos : 0;
  p += immSize;
  if (p > limit) return undefined;

  const insn: Insn = {
    pos, length: p - pos, map, opcode: op, modrm, modrmAt, rex, opsize16, rep, vector: false, immAt, immSize,
    branch: BranchKind.None, target: NaN,
  };
  classifyBranch(b, insn);
  return insn;
}

function isLegacyPrefix(c: number): boolean {
  return c === 0x66 || c === 0x67 || c === 0xf0 || c === 0xf2 || c === 0xf3 || c === 0x2e || c === 0x36 ||
    c === 0x3e || c === 0x26 || c === 0x64 || c === 0x65;
}

/** In 64-bit mode near CALL/JMP/Jcc keep a 32-bit displacement whatever 66 says (Intel; what gcc/gas emit). */
function isNearBranch(map: OpMap, op: number): boolean {
  return (map === OpMap.One && (op === 0xe8 || op === 0xe9)) || (map === OpMap.Two && op >= 0x80 && op <= 0x8f);
}

function decodeVector(b: Uint8Array, pos: number, p: number, limit: number, rex: number, opsize16: boolean): Insn | undefined {
  const kind = b[p]!;
  let map: OpMap;
  if (kind === 0xc5) {
    map = OpMap.Two;
    p += 2;
  } else if (kind === 0xc4 || kind === 0x8f) {
    if (p + 2 >= limit) return undefined;
    map = (b[p + 1]! & 0x1f) as OpMap;
    p += 3;
  } else {
    if (p + 3 >= limit) return undefined;
    map = (b[p + 1]! & 0x07) as OpMap;
    p += 4;
  }
  if (p >= limit) return undefined;
  const op = b[p++]!;
  let modrm = -1;
  let modrmAt = 0;
  // VZEROUPPER/VZEROALL (VEX 0F 77) are the only vector instructions without ModRM.
  if (!(kind !== 0x62 && map === OpMap.Two && op === 0x77)) {
    const n = modrmLength(b, p, limit);
    if (n < 0) return undefined;
    modrm = b[p]!;
    modrmAt = p - pos;
    p += n;
  }
  let immSize = 0;
  if (map === OpMap.Three3A || map === OpMap.Xop8 || (map === OpMap.Two && VEX_IMM1.has(op))) immSize = 1;
  else if (map === OpMap.XopA) immSize = 4;
  else if (map !== OpMap.Two && map !== OpMap.Three38 && map !== OpMap.Xop9) return undefined;
  const immAt = immSize ? p - pos : 0;
  p += immSize;
  if (p > limit) return undefined;
  return {
    pos, length: p - pos, map, opcode: op, modrm, modrmAt, rex, opsize16, rep: 0, vector: true, immAt, immSize,
    branch: BranchKind.None, target: NaN,
  };
}

// No closures here: tsx/esbuild wraps every function expression in a __name() call, which costs per call.
function classifyBranch(b: Uint8Array, i: Insn): void {
  const end = i.pos + i.length;
  if (i.map === OpMap.One) {
    const op = i.opcode;
    if (op === 0xe8) setBranch(b, i, BranchKind.Call, end, 4);
    else if (op === 0xe9) setBranch(b, i, BranchKind.Jmp, end, 4);
    else if (op === 0xeb) setBranch(b, i, BranchKind.Jmp, end, 1);
    else if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3)) setBranch(b, i, BranchKind.Cond, end, 1);
    else if (op === 0xc7 && i.modrm === 0xf8) setBranch(b, i, BranchKind.Cond, end, i.immSize); // XBEGIN
    else if (op === 0xff) {
      const reg = (i.modrm >> 3) & 7;
      if (reg === 2 || reg === 3) i.branch = BranchKind.Call;
      else if (reg === 4 || reg === 5) i.branch = BranchKind.Jmp;
    }
  } else if (i.map === OpMap.Two && i.opcode >= 0x80 && i.opcode <= 0x8f) {
    setBranch(b, i, BranchKind.Cond, end, 4);
  }
}

function setBranch(b: Uint8Array, i: Insn, kind: BranchKind, end: number, size: number): void {
  i.branch = kind;
  i.target = end + readRel(b, end - size, size);
}

/** True for instructions after which execution does not fall through (RET, JMP, UD2, HLT, IRET, INT3). */
export function endsFlow(i: Insn): boolean {
  if (i.branch === BranchKind.Jmp) return true;
  if (i.map === OpMap.One) {
    const op = i.opcode;
    return op === 0xc3 || op === 0xc2 || op === 0xcb || op === 0xca || op === 0xcf || op === 0xf4 || op === 0xcc;
  }
  return i.map === OpMap.Two && (i.opcode === 0x0b || i.opcode === 0xb9 || i.opcode === 0xff);
}

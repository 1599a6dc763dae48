// A few bytes of text as a student reads them: the bytes, and the instructions they begin, with jump targets
// named. The bytes after a patch site are kept as they were, so a patch of 5 bytes may cut an instruction:
// the instruction is decoded with the bytes that follow it in memory and marked as cut.
import type { Instruction } from '../../emulator/cpu/disasm.ts';
import { decode } from '../trace/patches.ts';
import { hex, insnText } from './format.ts';

export interface Listed {
  address: bigint;
  /** This instruction's bytes (may run past the shown bytes when cut). */
  bytes: Uint8Array;
  text: string;
  /** Direct jmp/call: where it goes. */
  target?: { address: bigint; symbol: string };
  /** The instruction runs past the shown bytes: only its first bytes are the ones shown. */
  cut: boolean;
}

export interface Code {
  address: bigint;
  bytes: Uint8Array;
  insns: Listed[];
}

const DIRECT = /^(jmp|call)q? (0x[0-9a-f]+)$/;

/** Direct jump or call target of a decoded instruction. */
export function directTarget(text: string): bigint | undefined {
  const m = DIRECT.exec(text);
  return m ? BigInt(m[2]!) : undefined;
}

/** `bytes` at `address`, decoded with `tail` (the bytes after them) to finish a cut instruction. */
export function codeAt(address: bigint, bytes: Uint8Array, tail: Uint8Array, symbolize: (a: bigint) => string): Code {
  const all = new Uint8Array(bytes.length + tail.length);
  all.set(bytes);
  all.set(tail, bytes.length);
  const insns: Listed[] = [];
  const end = address + BigInt(bytes.length);
  for (const x of decode(all, address) as Instruction[]) {
    if (x.address >= end) break;
    insns.push(listed(x, end, symbolize));
  }
  return { address, bytes, insns };
}

function listed(x: Instruction, end: bigint, symbolize: (a: bigint) => string): Listed {
  const l: Listed = { address: x.address, bytes: x.bytes, text: insnText(x.text), cut: x.address + BigInt(x.size) > end };
  const t = directTarget(x.text);
  if (t !== undefined) l.target = { address: t, symbol: symbolize(t).replace(/\+0x0$/, '') };
  return l;
}

/** One line per instruction: `jmp 0x… <xen_hello_world!xen_hello_world>`, `(cut) leaq …`. */
export function listingLines(c: Code): string[] {
  if (!c.insns.length) return ['(not decodable)'];
  return c.insns.map((i) => `${i.text}${i.target ? ` <${i.target.symbol}>` : ''}${i.cut ? ` (first ${Number(c.address + BigInt(c.bytes.length) - i.address)} of its ${i.bytes.length} bytes)` : ''}`);
}

export const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);

export { hex };

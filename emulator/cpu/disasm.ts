// Disassembly through capstone-wasm (AT&T syntax, as objdump uses).
import { Capstone, Const, loadCapstone } from 'capstone-wasm';

export interface Instruction {
  address: bigint;
  size: number;
  bytes: Uint8Array;
  mnemonic: string;
  operands: string;
  text: string;
}

let cs: Capstone | undefined;

/** Loads the wasm module once; call before disassemble(). */
export async function initDisassembler(): Promise<void> {
  if (cs) return;
  await loadCapstone();
  cs = new Capstone(Const.CS_ARCH_X86, Const.CS_MODE_64);
  cs.setOption(Const.CS_OPT_SYNTAX, Const.CS_OPT_SYNTAX_ATT);
}

export function disassemble(bytes: Uint8Array, address: bigint, count = 0): Instruction[] {
  if (!cs) throw new Error('initDisassembler() must be awaited first');
  return cs.disasm(bytes, { address, count }).map((i) => ({
    address: BigInt.asUintN(64, BigInt(i.address)),
    size: i.size,
    bytes: i.bytes,
    mnemonic: i.mnemonic,
    operands: i.opStr,
    text: i.opStr ? `${i.mnemonic} ${i.opStr}` : i.mnemonic,
  }));
}

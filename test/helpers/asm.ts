// Keystone (wasm) for tests: assemble AT&T or Intel snippets at a given address.
import { Const, Keystone, loadKeystone } from 'keystone-wasm';

let ks: Keystone | undefined;

export async function assembler(): Promise<(src: string, address?: bigint) => Uint8Array> {
  if (!ks) {
    await loadKeystone();
    ks = new Keystone(Const.KS_ARCH_X86, Const.KS_MODE_64);
    ks.setOption(Const.KS_OPT_SYNTAX, Const.KS_OPT_SYNTAX_ATT);
  }
  const k = ks;
  return (src, address = 0n) => {
    // keystone-wasm reads every number as hex: make decimal literals explicit.
    const fixed = src.replace(/(?<![\w.])(-?)(\d+)(?![\w.])/g, (_m, sign: string, d: string) => `${sign}0x${BigInt(d).toString(16)}`);
    const out = k.asm(fixed, { address });
    if (!out || (out.length === 0 && src.trim())) throw new Error(`keystone could not assemble: ${src}`);
    return out;
  };
}

// What the applied payloads changed in the text: the trampoline sites a trace marks, and for each patched
// function its original bytes (from the image ELF) next to the bytes now in memory.
import { type Instruction, disassemble, initDisassembler } from '../../emulator/cpu/disasm.ts';
import { patchLength } from '../../loader/arch/x86/index.ts';
import type { LivepatchHost } from '../../loader/livepatch/host.ts';

export interface PatchedFunction {
  payload: string;
  /** The function record's name (the function replaced). */
  name: string;
  oldAddr: bigint;
  /** Where the jump or NOPs start: old_addr, or +4 after ENDBR64. */
  site: bigint;
  /** 0 for a NOP patch. */
  newAddr: bigint;
  newSymbol: string | undefined;
  /** First bytes of the function as the image file has them; undefined when old_addr is not in the image. */
  original: Uint8Array | undefined;
  originalCode: Instruction[];
  /** The same bytes as they are in memory now. */
  current: Uint8Array;
  currentCode: Instruction[];
}

/** The function's first bytes up to old_size, at most this many, in whole instructions (always the patched ones). */
const MAX_SHOWN = 32;

/** Addresses where an applied payload's jump sits (the trace marks an E9 executed there). */
export function trampolineSites(patched: readonly PatchedFunction[]): bigint[] {
  return patched.filter((f) => f.newAddr !== 0n).map((f) => f.site);
}

export async function patchedFunctions(host: LivepatchHost): Promise<PatchedFunction[]> {
  await initDisassembler();
  const m = host.machine;
  const out: PatchedFunction[] = [];
  for (const p of host.appliedStack) {
    p.prepared.funcs.forEach((f, i) => {
      const { patchOffset } = p.struct.saved(i);
      const replaced = patchOffset + patchLength(f, patchOffset);
      const original = imageBytes(host, f.oldAddr, Math.max(replaced, Math.min(f.oldSize, MAX_SHOWN)));
      let n = replaced;
      if (original) {
        const whole = decode(original, f.oldAddr).reduce((end, x) => end + x.size, 0);
        n = Math.max(n, whole);
      }
      const current = m.peek(f.oldAddr, n) ?? new Uint8Array();
      const shown = original?.subarray(0, n);
      out.push({
        payload: p.name,
        name: f.name ?? m.symbolize(f.oldAddr),
        oldAddr: f.oldAddr,
        site: f.oldAddr + BigInt(patchOffset),
        newAddr: f.newAddr,
        newSymbol: f.newAddr === 0n ? undefined : m.symbolize(f.newAddr),
        original: shown,
        originalCode: shown ? decode(shown, f.oldAddr) : [],
        current,
        currentCode: decode(current, f.oldAddr),
      });
    });
  }
  return out;
}

function imageBytes(host: LivepatchHost, address: bigint, n: number): Uint8Array | undefined {
  try {
    return host.image.elf.readAt(address, n);
  } catch {
    return undefined; // e.g. a payload patching another payload's function
  }
}

/** As many instructions as decode; capstone-wasm throws when not even the first one does. */
export function decode(bytes: Uint8Array, address: bigint): Instruction[] {
  try {
    return disassemble(bytes, address);
  } catch {
    return [];
  }
}

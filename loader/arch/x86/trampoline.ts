// arch_livepatch_apply/revert (xen/arch/x86/livepatch.c): a 5-byte `E9 rel32` at old_addr (+4 after ENDBR64),
// or NOPs for NOP-patching; the replaced bytes go to the per-function state and come back exactly on revert.
import { LIVEPATCH_OPAQUE_SIZE } from '../../abi.ts';
import type { PatchSite, SavedPatch, TextAccess } from '../types.ts';
import { ENDBR64_LEN, isEndbr64 } from './endbr.ts';
import { addNops, type NopFlavour } from './nops.ts';

export const ARCH_PATCH_INSN_SIZE = 5;
/** The saved-bytes buffer in struct livepatch_fstate. */
export const INSN_BUFFER_SIZE = LIVEPATCH_OPAQUE_SIZE;

/** How many bytes a function's patch replaces, for a given ENDBR offset (Xen: unsigned; we refuse an underflow). */
export function patchLength(site: PatchSite, patchOffset: number): number {
  if (site.newAddr !== 0n) return ARCH_PATCH_INSN_SIZE;
  const len = site.newSize - patchOffset;
  if (len < 0 || len > INSN_BUFFER_SIZE) {
    throw new RangeError(`NOP length ${site.newSize} - ${patchOffset} (ENDBR64) does not fit 0..${INSN_BUFFER_SIZE}`);
  }
  return len;
}

export function jumpBytes(from: bigint, to: bigint): Uint8Array {
  const b = Buffer.alloc(ARCH_PATCH_INSN_SIZE);
  b[0] = 0xe9;
  b.writeInt32LE(Number(BigInt.asIntN(32, to - (from + BigInt(ARCH_PATCH_INSN_SIZE)))), 1);
  return b;
}

/** The ENDBR64 (or its poison) at old_addr, judged on the bytes there now, stays in front of the patch. */
export function patchOffset(text: TextAccess, oldAddr: bigint): number {
  return isEndbr64(text.read(oldAddr, ENDBR64_LEN)) ? ENDBR64_LEN : 0;
}

export function applyPatch(site: PatchSite, text: TextAccess, nops: NopFlavour = 'p6'): SavedPatch {
  const offset = patchOffset(text, site.oldAddr);
  const len = patchLength(site, offset);
  const at = site.oldAddr + BigInt(offset);
  const saved = Uint8Array.from(text.read(at, len));
  text.write(at, site.newAddr !== 0n ? jumpBytes(at, site.newAddr) : addNops(len, nops)); // nothing when len is 0
  return { patchOffset: offset, saved };
}

export function revertPatch(site: PatchSite, state: SavedPatch, text: TextAccess): void {
  const len = patchLength(site, state.patchOffset);
  text.write(site.oldAddr + BigInt(state.patchOffset), state.saved.subarray(0, len));
}

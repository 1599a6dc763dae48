// arch_livepatch_apply/revert (xen/arch/x86/livepatch.c): a 5-byte `E9 rel32` at old_addr (+4 after ENDBR64),
// or NOPs for NOP-patching; the replaced bytes go to the per-function state and come back exactly on revert.
import { ENDBR64_LEN, isEndbr64 } from './endbr.ts';
import { addNops, type NopFlavour } from './nops.ts';

export const ARCH_PATCH_INSN_SIZE = 5;
/** The saved-bytes buffer in struct livepatch_fstate. */
export const INSN_BUFFER_SIZE = 31;

export interface TextAccess {
  read(address: bigint, length: number): Uint8Array;
  /** Must make the new bytes visible to the CPU at once (translation caches). */
  write(address: bigint, bytes: Uint8Array): void;
}

export interface PatchSite {
  oldAddr: bigint;
  newAddr: bigint;
  newSize: number;
}

export interface SavedPatch {
  patchOffset: number;
  saved: Uint8Array;
}

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

export function applyPatch(site: PatchSite, text: TextAccess, nops: NopFlavour = 'p6'): SavedPatch {
  const patchOffset = isEndbr64(text.read(site.oldAddr, ENDBR64_LEN)) ? ENDBR64_LEN : 0;
  const len = patchLength(site, patchOffset);
  const at = site.oldAddr + BigInt(patchOffset);
  const saved = Uint8Array.from(text.read(at, len));
  if (len) text.write(at, site.newAddr !== 0n ? jumpBytes(at, site.newAddr) : addNops(len, nops));
  return { patchOffset, saved };
}

export function revertPatch(site: PatchSite, state: SavedPatch, text: TextAccess): void {
  const len = patchLength(site, state.patchOffset);
  if (len) text.write(site.oldAddr + BigInt(state.patchOffset), state.saved.subarray(0, len));
}

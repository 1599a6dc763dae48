// CET-IBT: a function whose address is taken starts with ENDBR64; at boot Xen may poison unused ones into a
// 4-byte NOP. Either way the trampoline goes after it, so indirect calls stay legal (arch_livepatch_apply).
// The one ENDBR detector of xlp (explore's deliberately independent model keeps its own).

export const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa] as const;
export const ENDBR64_POISON = [0x66, 0x0f, 0x1f, 0x01] as const; // nopw (%rcx)
export const ENDBR64_LEN = 4;

/** Shorter `bytes` never match: their missing bytes read as undefined. */
const startsWith = (bytes: Uint8Array, p: readonly number[]): boolean => p.every((b, i) => bytes[i] === b);

/** ENDBR64 proper (is_endbr64): what altcall looks for in a call target. */
export function isEndbr64Insn(bytes: Uint8Array | undefined): boolean {
  return !!bytes && startsWith(bytes, ENDBR64);
}

/** ENDBR64 or its poison: what live patching skips (arch_livepatch_verify_func / _apply). */
export function isEndbr64(bytes: Uint8Array | undefined): boolean {
  return !!bytes && (startsWith(bytes, ENDBR64) || startsWith(bytes, ENDBR64_POISON));
}

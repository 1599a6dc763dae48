// CET-IBT: a function whose address is taken starts with ENDBR64; at boot Xen may poison unused ones into a
// 4-byte NOP. Either way the trampoline goes after it, so indirect calls stay legal (arch_livepatch_apply).

export const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa] as const;
export const ENDBR64_POISON = [0x66, 0x0f, 0x1f, 0x01] as const; // nopw (%rcx)
export const ENDBR64_LEN = 4;

export function isEndbr64(bytes: Uint8Array | undefined): boolean {
  if (!bytes || bytes.length < 4) return false;
  const eq = (p: readonly number[]): boolean => p.every((b, i) => bytes[i] === b);
  return eq(ENDBR64) || eq(ENDBR64_POISON);
}

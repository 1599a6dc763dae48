// The "ideal" NOPs Xen selects at boot (arch/x86/alternative.c): P6 long NOPs by default, K8 NOPs (66-prefixed
// 0x90 runs) on old Intel and AMD family <= 0xf. add_nops() emits them in chunks of at most 9 bytes.

export type NopFlavour = 'p6' | 'k8';

const P6: number[][] = [
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

const K8: number[][] = P6.map((_, i) => [...Array(i).fill(0x66), 0x90]);

export const ASM_NOP_MAX = 9;

export function addNops(length: number, flavour: NopFlavour = 'p6'): Uint8Array {
  const table = flavour === 'p6' ? P6 : K8;
  const out = new Uint8Array(length);
  for (let off = 0; off < length; ) {
    const n = Math.min(length - off, ASM_NOP_MAX);
    out.set(table[n - 1]!, off);
    off += n;
  }
  return out;
}

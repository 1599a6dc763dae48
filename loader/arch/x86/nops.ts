// The "ideal" NOPs Xen selects at boot (arch/x86/alternative.c, asm/nops.h): P6 long NOPs by default, K8 NOPs
// on Intel family 6 models 0x0f-0x1b, 0x1d-0x25, 0x28-0x2f and AMD family <= 0xf. add_nops() emits them in
// chunks of at most 9 bytes.

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

// asm/nops.h: K8_NOP1..4 are 0x66 prefixes before 0x90; longer ones are built from those (K8_NOP5 = NOP3,NOP2).
const K8_1 = [0x90];
const K8_2 = [0x66, ...K8_1];
const K8_3 = [0x66, ...K8_2];
const K8_4 = [0x66, ...K8_3];
const K8: number[][] = [
  K8_1, K8_2, K8_3, K8_4, [...K8_3, ...K8_2], [...K8_3, ...K8_3], [...K8_4, ...K8_3], [...K8_4, ...K8_4],
  [...K8_3, ...K8_3, ...K8_3],
];

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

// How numbers are written for students: addresses and immediates in hex, negative values with their errno name.
import { xenErrnoName } from '../../loader/livepatch/errno.ts';
import { hex, hexBytes } from '../args.ts';

export { hex, hexBytes };

/** `-EFAULT` for -14; undefined when the value is not minus a known errno. */
export function errnoOf(value: bigint | number): string | undefined {
  const v = Number(value);
  const name = v < 0 ? xenErrnoName(-v) : undefined;
  return name && `-${name}`;
}

/** `-14 (-EFAULT)`, `0`, `-99` */
export function rcText(rc: number): string {
  const name = errnoOf(rc);
  return name ? `${rc} (${name})` : String(rc);
}

/** A 64-bit value: hex, then its signed reading and errno name when it is a small negative number. */
export function valueText(v: bigint, bits: 32 | 64 = 64): string {
  const u = BigInt.asUintN(bits, v);
  const s = BigInt.asIntN(bits, v);
  if (s < 0n && s > -4096n) {
    const name = errnoOf(s);
    return `${hex(u)} (${s}${name ? ` = ${name}` : ''})`;
  }
  return hex(u);
}

/**
 * capstone prints some immediates and displacements in decimal (`movabsq $16045481047390945280, %rax`,
 * `$1`): written in hex here. Hex ones stay as they are.
 */
export function hexImmediates(text: string): string {
  return text.replace(/(\$|\s|,|^)(-?)(\d+)(?![\dx])/g, (all, pre: string, sign: string, digits: string, at: number, s: string) => {
    // Leave alone what is not a number operand: register names (%r8, %xmm1), scale factors in (%rax, %rcx, 8).
    const before = s.slice(0, at + pre.length);
    if (/%[a-z]*$/.test(before) || /\([^)]*$/.test(before)) return all;
    return `${pre}${sign}${hex(BigInt(digits))}`;
  });
}

/** Negative immediates worth naming: `$0xfffffff2` in a 32-bit move is -14, -EFAULT. */
export function immediateNotes(text: string): string[] {
  const notes: string[] = [];
  for (const m of text.matchAll(/\$(-?)0x([0-9a-f]+)/g)) {
    const raw = BigInt(`0x${m[2]}`);
    const v = m[1] ? -raw : raw < 1n << 32n ? BigInt.asIntN(32, raw) : BigInt.asIntN(64, raw);
    const name = v < -1n ? errnoOf(v) : undefined; // -1 is as often a mask as -EPERM: not named in code
    if (name) notes.push(`$${m[1]}0x${m[2]} = ${v} = ${name}`);
  }
  return notes;
}

/** Instruction text as shown everywhere: hex immediates. */
export const insnText = (text: string): string => hexImmediates(text);


/** `4 KiB`, `2 MiB`, `0x1234 bytes` */
export function sizeText(n: bigint): string {
  if (n >= 1n << 20n && n % (1n << 20n) === 0n) return `${n >> 20n} MiB`;
  if (n >= 1n << 10n && n % (1n << 10n) === 0n) return `${n >> 10n} KiB`;
  return `${hex(n)} bytes`;
}

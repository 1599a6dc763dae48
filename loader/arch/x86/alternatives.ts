// prepare_payload's alternatives step (spec §2.7 step 8): bounds of every `.altinstructions` entry (4.17.4+
// checks), then x86 apply_alternatives() on the payload as Xen does it at upload (force = true, boot CPU
// features). Record layout: ALT_INSTR in loader/abi.ts; `priv` is set once a site has been handled.
//
// Deliberate differences (docs/differences.md): where Xen 4.17 BUG_ON()s (feature >= NCAPINTS*32, repl_len >
// orig_len + pad_len, orig_len + pad_len > 254), where a write would leave the payload's pages, where an altcall
// pointer or target is unreadable or out of rel32 reach, and a non-ALLOC .altinstructions, xlp refuses -EINVAL.
import { ALT_FLAG_NOT, ALT_INSTR } from '../../abi.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../../livepatch/errno.ts';
import type { Layout } from '../../livepatch/upload/layout.ts';
import type { AddressSpace } from '../../livepatch/upload/memory.ts';
import { describe, findSection, type ElfModel } from '../../livepatch/upload/model.ts';
import { ENDBR64_LEN, isEndbr64Insn } from './endbr.ts';
import { ASM_NOP_MAX } from './nops.ts';

export const SEC_ALTINSTRUCTIONS = '.altinstructions';
export const SEC_ALTINSTR_REPLACEMENT = '.altinstr_replacement';
/** alternative.c MAX_PATCH_LEN (255-1). */
export const MAX_PATCH_LEN = 254;
export const X86_FEATURE_ALWAYS = 0x5d;
/** What GNU as emits for `.nops 9` (Xen's toolchain_nops, P6_NOP9). */
export const TOOLCHAIN_NOPS = Uint8Array.of(0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00);

export interface AlternativesCpu {
  /** Boot CPU feature bits (X86_FEATURE_ALWAYS is always set by Xen). */
  features: ReadonlySet<number>;
  /** NCAPINTS * 32: a feature number at or above it is Xen's BUG_ON. */
  featureBound: number;
  /** The errnos of a version whose _apply_alternatives() returns errors instead of BUG_ON (loader/abi.ts). */
  errors?: { readonly tooLong: number; readonly badFeature: number } | undefined;
  /** CONFIG_XEN_IBT: altcall patching skips the call target's ENDBR64. */
  ibt: boolean;
  nops(length: number): Uint8Array;
}

interface AltInstr {
  at: bigint;
  orig: bigint;
  repl: bigint;
  cpuid: number;
  origLen: number;
  replLen: number;
  padLen: number;
  priv: number;
}

function readAlt(mem: AddressSpace, at: bigint): AltInstr {
  const A = ALT_INSTR;
  const b = mem.read(at, A.size)!;
  const v = new DataView(b.buffer, b.byteOffset, A.size);
  return {
    at, orig: at + BigInt(A.origOffset) + BigInt(v.getInt32(A.origOffset, true)),
    repl: at + BigInt(A.replOffset) + BigInt(v.getInt32(A.replOffset, true)),
    cpuid: v.getUint16(A.cpuid, true), origLen: b[A.origLen]!, replLen: b[A.replLen]!, padLen: b[A.padLen]!,
    priv: b[A.priv]!,
  };
}

/** Returns how many entries had their replacement written. */
export function applyAlternatives(elf: ElfModel, layout: Layout, cpu: AlternativesCpu): number {
  const ALT_INSTR_SIZE = ALT_INSTR.size;
  const s = findSection(elf, SEC_ALTINSTRUCTIONS);
  if (!s) return 0;
  if (s.size % BigInt(ALT_INSTR_SIZE) !== 0n) {
    fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not a multiple of ${ALT_INSTR_SIZE}`);
  }
  if (s.size === 0n) return 0;
  if (layout.text.size === 0) fail(Errno.EINVAL, `${describe(s)}: alternatives provided, but no payload text`);
  const replSec = findSection(elf, SEC_ALTINSTR_REPLACEMENT);
  if (!replSec) fail(Errno.EINVAL, `${describe(s)} provided, but no ${SEC_ALTINSTR_REPLACEMENT}`);
  const start = layout.address[s.index];
  if (start === undefined) fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would read it at NULL)`);
  const replStart = layout.address[replSec.index] ?? 0n; // Xen's NULL load_addr takes part in the comparisons
  const mem = layout.memory;
  const n = Number(s.size) / ALT_INSTR_SIZE;
  const at = (k: number): bigint => start + BigInt(k * ALT_INSTR_SIZE);

  const textEnd = layout.text.address + BigInt(layout.text.size);
  const replEnd = replStart + replSec.size;
  for (let k = 0; k < n; k++) {
    const a = readAlt(mem, at(k));
    if (a.orig < layout.text.address || a.origLen > layout.text.size || a.orig + BigInt(a.origLen) > textEnd) {
      fail(Errno.EINVAL, `${describe(s)} entry ${k}: orig ${hex(a.orig)}+${hex(a.origLen)} outside payload text ` +
        `${hex(layout.text.address)}+${hex(layout.text.size)}`);
    }
    if (a.repl < replStart || BigInt(a.replLen) > replSec.size || a.repl + BigInt(a.replLen) > replEnd) {
      fail(Errno.EINVAL, `${describe(s)} entry ${k}: repl ${hex(a.repl)}+${hex(a.replLen)} outside ` +
        `${describe(replSec)} ${hex(replStart)}+${hex(replSec.size)}`);
    }
  }

  // With HAVE_AS_NOPS_DIRECTIVE, padding was emitted by `.nops`; Xen leaves it alone if it already is ideal.
  const toolchainNopsIdeal = same(cpu.nops(ASM_NOP_MAX), TOOLCHAIN_NOPS);
  const nops = (len: number): Uint8Array => (len > 0 ? cpu.nops(len) : new Uint8Array(0));
  const put = (where: string, address: bigint, bytes: Uint8Array): void => {
    if (!mem.write(address, bytes)) {
      fail(Errno.EINVAL, `${where}: writing ${bytes.length} bytes at ${hex(address)} would leave the payload ` +
        '(Xen 4.17 would write past its allocation)');
    }
  };
  let applied = 0;
  let base = readAlt(mem, at(0));
  for (let k = 0; k < n; k++) {
    const where = `${describe(s)} entry ${k}`;
    const a = readAlt(mem, at(k)); // fresh: earlier entries may have set priv
    const total = a.origLen + a.padLen;
    // Xen 4.17 BUG_ON()s on these three (we refuse with -EINVAL); 4.20 returns -ENOSPC / -ERANGE.
    const tooLong = cpu.errors?.tooLong ?? Errno.EINVAL;
    if (a.replLen > total) fail(tooLong, `${where}: repl_len ${a.replLen} > orig_len + pad_len ${total}`);
    if (total > MAX_PATCH_LEN) fail(tooLong, `${where}: orig_len + pad_len ${total} > ${MAX_PATCH_LEN}`);
    // ALT_NOT(x): bit 15 inverts the polarity; the rest is the feature number.
    const feat = a.cpuid & ~ALT_FLAG_NOT;
    const inv = (a.cpuid & ALT_FLAG_NOT) !== 0;
    if (feat >= cpu.featureBound) {
      fail(cpu.errors?.badFeature ?? Errno.EINVAL, `${where}: feature ${hex(feat)} outside the featureset (< ${hex(cpu.featureBound)})`);
    }
    // Entries patching the same site share the first one's priv.
    base = readAlt(mem, base.at);
    if (base.orig !== a.orig) base = a;
    if (a.priv) continue;
    const setPriv = (): void => void mem.write(a.at + BigInt(ALT_INSTR.priv), Uint8Array.of(1));

    if (cpu.features.has(feat) === inv) {
      if (readAlt(mem, base.at).priv) continue;
      setPriv();
      if (toolchainNopsIdeal || a.padLen <= 1) continue;
      put(where, a.orig + BigInt(a.origLen), nops(a.padLen));
      continue;
    }

    const buf = new Uint8Array(total);
    buf.set(mem.read(a.repl, a.replLen)!);
    const view = new DataView(buf.buffer);
    if (a.replLen >= 5 && (buf[0]! & 0xfe) === 0xe8) {
      if (a.cpuid === X86_FEATURE_ALWAYS && view.getInt32(1, true) === -5 && a.origLen >= 6 &&
          isRipIndirect(mem.read(a.orig, 2)!, buf[0]! & 1 ? 0x25 : 0x15)) {
        devirtualise(where, mem, a, buf, cpu.ibt);
      } else {
        // A relative CALL/JMP moved from repl to orig keeps its target.
        view.setInt32(1, Number(BigInt.asIntN(32, BigInt(view.getInt32(1, true)) + (a.repl - a.orig))), true);
      }
    }
    setPriv();
    buf.set(nops(total - a.replLen), a.replLen);
    put(where, a.orig, buf);
    applied++;
  }
  return applied;
}

/** altcall: `call/jmp *disp32(%rip)` becomes a direct branch to the function pointer's current value. */
function devirtualise(where: string, mem: AddressSpace, a: AltInstr, buf: Uint8Array, ibt: boolean): void {
  const disp = mem.read(a.orig + 2n, 4)!;
  const slot = a.orig + 6n + BigInt(new DataView(disp.buffer, disp.byteOffset, 4).getInt32(0, true));
  let dest = mem.readU64(slot);
  if (dest === undefined) fail(Errno.EINVAL, `${where}: altcall function pointer at ${hex(slot)} is unreadable`);
  if (dest === 0n) {
    buf.set([0x0f, 0x0b, 0x0f, 0xff, 0xff]); // ud2; ud0: the pointer is still NULL
    return;
  }
  if (ibt) {
    const head = mem.read(dest, ENDBR64_LEN);
    if (!head) fail(Errno.EINVAL, `${where}: altcall target ${hex(dest)} is unreadable`);
    if (isEndbr64Insn(head)) dest += BigInt(ENDBR64_LEN);
  }
  const rel = BigInt.asIntN(64, dest - (a.orig + 5n));
  // Xen only ASSERT()s this; release builds would truncate the displacement.
  if (rel !== BigInt.asIntN(32, rel)) fail(Errno.EINVAL, `${where}: altcall target ${hex(dest)} is out of rel32 range`);
  new DataView(buf.buffer).setInt32(1, Number(rel), true);
}

/** `ff 15` = call *disp32(%rip), `ff 25` = jmp *disp32(%rip). */
const isRipIndirect = (head: Uint8Array, modrm: number): boolean => head[0] === 0xff && head[1] === modrm;
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

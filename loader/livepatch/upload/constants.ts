// Xen 4.17 (x86-64) constants the upload path depends on (spec §0, §1.2).

export const PAGE_SIZE = 4096n;
/** LIVEPATCH_MAX_SIZE: largest upload, and largest writable/alloc NOBITS section. */
export const LIVEPATCH_MAX_SIZE = 2 * 1024 * 1024;
/** XEN_LIVEPATCH_NAME_SIZE, NUL included. */
export const NAME_SIZE = 128;
/** livepatch_header_check's arbitrary limit on e_shnum. */
export const MAX_SECTIONS = 1024;
/** KSYM_NAME_LEN: build_symbol_table strlcpy()s names into buffers of this size (so at most 126 characters). */
export const KSYM_NAME_LEN = 127;
/**
 * Not a Xen constant: the livepatch vmap area lies inside Xen's 1 GiB image window, so a bigger layout can only
 * end in -ENOMEM; we say so before asking `reserve` for an absurd number of pages.
 */
export const MAX_LAYOUT_BYTES = 1n << 30n;

export const LIVEPATCH_PAYLOAD_VERSION = 2;
export const FUNC_SIZE = 104;
export const OPAQUE_SIZE = 31;
export const ARCH_PATCH_INSN_SIZE = 5;
export const ENDBR64_LEN = 4;
export const ENDBR64 = Uint8Array.of(0xf3, 0x0f, 0x1e, 0xfa);
/** `nopw (%rcx)`: what Xen writes over ENDBR64 of functions whose address is never taken. */
export const ENDBR64_POISON = Uint8Array.of(0x66, 0x0f, 0x1f, 0x01);
export const ARCH_LIVEPATCH_RANGE = 1n << 31n;

export const HOOK_SIZE = 8;
export const EXTABLE_ENTRY_SIZE = 8;
export const BUG_FRAME_SIZE = 8;
export const BUGFRAME_NR = 4;
export const ALT_INSTR_SIZE = 14;
/** alternative.c MAX_PATCH_LEN (255-1). */
export const MAX_PATCH_LEN = 254;
export const X86_FEATURE_ALWAYS = 0x5d;
/** ASM_NOP_MAX, and what GNU as emits for `.nops 9` (Xen's toolchain_nops, P6_NOP9). */
export const ASM_NOP_MAX = 9;
export const TOOLCHAIN_NOPS = Uint8Array.of(0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00);
/**
 * CONFIG_XEN_IBT of the baseline build (Debian 4.17, spec §9): altcall patching then skips the ENDBR64 of the
 * call target.
 */
export const XEN_IBT = true;

export const SEC = {
  funcs: '.livepatch.funcs',
  depends: '.livepatch.depends',
  xenDepends: '.livepatch.xen_depends',
  buildId: '.note.gnu.build-id',
  loadHooks: '.livepatch.hooks.load',
  unloadHooks: '.livepatch.hooks.unload',
  preApply: '.livepatch.hooks.preapply',
  apply: '.livepatch.hooks.apply',
  postApply: '.livepatch.hooks.postapply',
  preRevert: '.livepatch.hooks.prerevert',
  revert: '.livepatch.hooks.revert',
  postRevert: '.livepatch.hooks.postrevert',
  altInstructions: '.altinstructions',
  altReplacement: '.altinstr_replacement',
  exTable: '.ex_table',
  modinfo: '.modinfo',
} as const;

// Limits of the generic upload path (common/livepatch.c, livepatch_elf.c) and the sections it knows by name.
// Struct layouts and sizes are loader/abi.ts's; architecture constants live behind loader/arch.

/** livepatch_header_check's arbitrary limit on e_shnum. */
export const MAX_SECTIONS = 1024;
/** KSYM_NAME_LEN: build_symbol_table strlcpy()s names into buffers of this size (so at most 126 characters). */
export const KSYM_NAME_LEN = 127;
/**
 * Not a Xen constant: the livepatch vmap area lies inside Xen's 1 GiB image window, so a bigger layout can only
 * end in -ENOMEM; we say so before asking `reserve` for an absurd number of pages.
 */
export const MAX_LAYOUT_BYTES = 1n << 30n;

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
  exTable: '.ex_table',
  modinfo: '.modinfo',
} as const;

// Xen 4.17's in-memory layouts that guest code (payload hooks) reads and writes: struct payload,
// struct livepatch_fstate, and the .livepatch.funcs record (spec §1.3-1.4, x86-64).

export const PAYLOAD = {
  state: 0, rc: 4, reverted: 8, safeToReapply: 9, list: 16, textAddr: 32, textSize: 40, rwAddr: 48, rwSize: 56,
  roAddr: 64, roSize: 72, pages: 80, appliedList: 88, funcs: 104, fstate: 112, nfuncs: 120, symtab: 128,
  strtab: 136, region: 144, nsyms: 280, id: 288, dep: 304, xenDep: 320, loadFuncs: 336, unloadFuncs: 344,
  hooks: 352, nLoadFuncs: 400, nUnloadFuncs: 404, name: 408, metadata: 536, size: 552,
} as const;

/** struct livepatch_hooks: pointers to the 8-byte slots, apply.{pre,action,post} then revert.{...}. */
export const HOOK_ORDER = ['preApply', 'apply', 'postApply', 'preRevert', 'revert', 'postRevert'] as const;
export type HookName = (typeof HOOK_ORDER)[number];

export const FSTATE = { patchOffset: 0, applied: 4, insnBuffer: 8, size: 40 } as const;
export const FUNC_RECORD_SIZE = 104;

export const STATE = { CHECKED: 1, APPLIED: 2 } as const;
export type PayloadState = 'CHECKED' | 'APPLIED';
export const FUNC_NOT_APPLIED = 0;
export const FUNC_APPLIED = 1;

/** list_del() poison (xen/include/xen/list.h). */
export const LIST_POISON1 = 0x0100100100100100n;
export const LIST_POISON2 = 0x0200200200200200n;

export const XEN_LIVEPATCH_NAME_SIZE = 128;

export const ACTION = { UNLOAD: 1, REVERT: 2, APPLY: 3, REPLACE: 4 } as const;
export type ActionName = keyof typeof ACTION;
export const LIVEPATCH_ACTION_APPLY_NODEPS = 1;
/** MILLISECS(30): the action timeout when the caller passes 0. */
export const DEFAULT_ACTION_TIMEOUT_NS = 30_000_000;

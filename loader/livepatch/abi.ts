// The sysctl interface's values (public/sysctl.h): actions, states, hook order. Struct layouts are in
// loader/abi.ts.

/** struct livepatch_hooks: pointers to the 8-byte slots, apply.{pre,action,post} then revert.{...}. */
export const HOOK_ORDER = ['preApply', 'apply', 'postApply', 'preRevert', 'revert', 'postRevert'] as const;
export type HookName = (typeof HOOK_ORDER)[number];

export const STATE = { CHECKED: 1, APPLIED: 2 } as const;
export type PayloadState = 'CHECKED' | 'APPLIED';
export const FUNC_NOT_APPLIED = 0;
export const FUNC_APPLIED = 1;

export const ACTION = { UNLOAD: 1, REVERT: 2, APPLY: 3, REPLACE: 4 } as const;
export type ActionName = keyof typeof ACTION;
export const LIVEPATCH_ACTION_APPLY_NODEPS = 1;
/** MILLISECS(30): the action timeout when the caller passes 0. */
export const DEFAULT_ACTION_TIMEOUT_NS = 30_000_000;

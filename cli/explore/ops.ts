// The operations explore enumerates, and how they read in reports ("apply xlp_order_jmp").

export const OP_KINDS = ['upload', 'apply', 'revert', 'replace', 'unload'] as const;
export type OpKind = (typeof OP_KINDS)[number];

export interface Op {
  kind: OpKind;
  payload: string;
}

export const opLabel = (op: Op): string => `${op.kind} ${op.payload}`;

export const sequenceLabel = (ops: readonly Op[]): string => ops.map(opLabel).join(', ');

/** Every operation on every payload, in a fixed order (kinds first): the order units and ties are decided in. */
export function allOps(kinds: readonly OpKind[], payloads: readonly string[]): Op[] {
  return kinds.flatMap((kind) => payloads.map((payload) => ({ kind, payload })));
}

/** What explore tries in every state; uploads only when the payloads cannot all be loaded at the root. */
export const exploredKinds = (uploads: boolean): OpKind[] => OP_KINDS.filter((k) => uploads || k !== 'upload');

/**
 * What the engine tries from a state: every operation (`all`), or in `orders` mode each payload not yet
 * applied, then the top of the stack reverted (apply every payload once in each order, then unwind).
 */
export function nextOps(mode: 'all' | 'orders', kinds: readonly OpKind[], payloads: readonly string[], s: OrderState): Op[] {
  if (mode === 'all') return allOps(kinds, payloads);
  const fresh = s.loaded.filter((p) => p.state === 'CHECKED' && !p.reverted).map((p) => p.name);
  if (fresh.length) return fresh.map((payload) => ({ kind: 'apply', payload }));
  const top = s.applied.at(-1);
  return top === undefined ? [] : [{ kind: 'revert', payload: top }];
}

/** The part of the model's state the order of operations depends on. */
export interface OrderState {
  loaded: readonly { name: string; state: string; reverted: boolean }[];
  applied: readonly string[];
}

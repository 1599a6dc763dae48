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

// Old and new code on one input: the same, or which way they diverge.
import { extend } from './inputs.ts';
import type { Fault, Observation } from './run-side.ts';
import { INT64, type ReturnType } from './signature.ts';

export const KINDS = ['old-faulted', 'new-faulted', 'different-return', 'different-writes'] as const;
export type DivergenceKind = (typeof KINDS)[number];

export const KIND_TITLES: Record<DivergenceKind, string> = {
  'old-faulted': 'old code faulted, new did not',
  'new-faulted': 'new code faulted (old did not, or elsewhere)',
  'different-return': 'different return value',
  'different-writes': 'different writes (argument buffers, hypervisor data, console)',
};

/** The function a fault was in, whichever copy of it ran: `payload!fn+0x12` and `fn+0x3` are both `fn`. */
const faultFunction = (f: Fault): string => f.where.replace(/^[^!]*!/, '').replace(/\+0x[0-9a-f]+$/, '');

function sameBytes(a: readonly (Buffer | undefined)[], b: readonly (Buffer | undefined)[]): boolean {
  return a.length === b.length && a.every((x, i) => (x === undefined ? b[i] === undefined : b[i] !== undefined && x.equals(b[i]!)));
}

function sameData(a: Observation['data'], b: Observation['data']): boolean {
  return a.length === b.length && a.every((x, i) => x.address === b[i]!.address && x.bytes.equals(b[i]!.bytes));
}

/** What the caller sees: the bits of the return type's width, the text a string return points to, or nothing. */
function sameReturn(old: Observation, neu: Observation, t: ReturnType): boolean {
  if (t.kind === 'void') return true;
  // two different pointers to the same text are the same answer; NULL and an unreadable pointer compare as values
  if (t.kind === 'string' && (typeof old.text === 'string' || typeof neu.text === 'string')) return old.text === neu.text;
  const int = t.kind === 'int' ? t : { ...INT64, signed: false };
  return extend(old.returns!, int) === extend(neu.returns!, int);
}

export function classify(old: Observation, neu: Observation, returns: ReturnType = INT64): DivergenceKind | undefined {
  if (old.fault && !neu.fault) return 'old-faulted';
  if (neu.fault && !old.fault) return 'new-faulted';
  if (old.fault && neu.fault) {
    if (old.fault.vector !== neu.fault.vector || faultFunction(old.fault) !== faultFunction(neu.fault)) return 'new-faulted';
  } else if (!sameReturn(old, neu, returns)) return 'different-return';
  const sameConsole = old.console.length === neu.console.length && old.console.every((l, i) => l === neu.console[i]);
  if (!sameConsole || !sameBytes(old.buffers, neu.buffers) || !sameData(old.data, neu.data)) return 'different-writes';
  return undefined;
}

// A failure explore found, identified by what failed (invariant, function or check, kind of mismatch) so that
// each is reported once, with the shortest sequence that reproduces it.
import type { Step } from '../scenario/schema.ts';

/**
 * 1 guest fault or dead host, 2 patched text, 3 errno/state against the model, 4 a --check, 5 an upload or
 * apply that fails on every explored path.
 */
export type Invariant = 1 | 2 | 3 | 4 | 5;

export const INVARIANT_NAMES: Record<Invariant, string> = { 1: 'fault', 2: 'text', 3: 'errno', 4: 'check', 5: 'never' };

export interface FailureRecord {
  key: string;
  invariant: Invariant;
  /** The function, operation or check that failed. */
  subject: string;
  message: string;
  /** The operations after the root, each with the outcome it had. */
  steps: Step[];
  /** The failing step (last), expecting what the invariant or check expected; any before it pass. */
  final: Step[];
  /** What the final step checks, for the scenario file. */
  note: string;
  /** Sequence length, unit, discovery order: the smallest is the one reported. */
  rank: [number, number, number];
}

function before(a: FailureRecord, b: FailureRecord): boolean {
  for (let i = 0; i < 3; i++) if (a.rank[i] !== b.rank[i]) return a.rank[i]! < b.rank[i]!;
  return false;
}

/** One failure per key, the best-ranked, in rank order: the same whatever the units were run on. */
export function mergeFailures(lists: readonly (readonly FailureRecord[])[]): FailureRecord[] {
  const best = new Map<string, FailureRecord>();
  for (const f of lists.flat()) {
    const b = best.get(f.key);
    if (!b || before(f, b)) best.set(f.key, f);
  }
  return [...best.values()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}

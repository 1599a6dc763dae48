// Invariant 5: an operation that succeeds on no explored path. A payload whose upload fails everywhere (built
// against another image's build-id, say) can never be loaded; one whose apply fails everywhere can never take
// effect. Each is reported once, with the reason and the shortest sequence where it failed. Whether it ever
// succeeded is only known over all units, so the verdict is taken when the units' results are merged.
import type { StepOutcome } from '../scenario/runner.ts';
import type { Step } from '../scenario/schema.ts';
import { type FailureRecord, mergeFailures } from './failures.ts';
import type { Op } from './ops.ts';

export interface Attempts {
  /** `upload X` / `apply X` that succeeded somewhere (an apply also by REPLACE). */
  succeeded: string[];
  /** The first (shortest) failure of each, as a failure record in case it never succeeds. */
  refused: FailureRecord[];
}

/** What an attempt counts as: `upload X`, `apply X`; undefined for operations that need not succeed. */
export function attemptLabel(op: Op): string | undefined {
  if (op.kind === 'upload') return `upload ${op.payload}`;
  if (op.kind === 'apply' || op.kind === 'replace') return `apply ${op.payload}`;
  return undefined;
}

/** The record for a refused attempt: the sequence before it, then the operation expected to succeed. */
export function refusalRecord(label: string, steps: Step[], step: Step, outcome: StepOutcome, rank: [number, number, number]): FailureRecord {
  const reason = outcome.errno ? `${outcome.errno}${outcome.message ? ` (${outcome.message})` : ''}` : 'it faulted';
  return {
    key: `5:${label}`, invariant: 5, subject: label, message: `fails on every explored path: ${reason}`,
    steps, final: [{ ...step, expect: {} }], note: `${label} succeeds on some path`, rank,
  };
}

/** Several units' (or shards') attempts as one: what any saw succeed, the best-ranked refusal of the rest. */
export function mergeAttempts(all: readonly Attempts[]): Attempts {
  const succeeded = [...new Set(all.flatMap((a) => a.succeeded))].sort();
  const ok = new Set(succeeded);
  return { succeeded, refused: mergeFailures(all.map((a) => a.refused.filter((f) => !ok.has(f.subject)))) };
}

/** Failures of the attempts that none of these saw succeed, in rank order (an apply only if it uploads). */
export function neverSucceeded(all: readonly Attempts[]): FailureRecord[] {
  const refused = mergeAttempts(all).refused;
  const neverUploaded = new Set(refused.filter((f) => f.subject.startsWith('upload ')).map((f) => f.subject.slice(7)));
  return refused.filter((f) => !(f.subject.startsWith('apply ') && neverUploaded.has(f.subject.slice(6))));
}

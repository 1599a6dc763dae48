// `xlp explore` as a function: list the units, run them here or on worker threads, merge their results.
import { availableParallelism } from 'node:os';
import type { Step } from '../scenario/schema.ts';
import type { ExploreConfig } from './config.ts';
import { UnitExplorer, type UnitResult } from './engine.ts';
import { type FailureRecord, mergeFailures } from './failures.ts';
import { runInWorkers, type UnitProgress } from './pool.ts';
import { Session } from './session.ts';
import { estimateWork, type WorkEstimate } from './estimate.ts';
import { type Attempts, mergeAttempts, neverSucceeded } from './never.ts';
import { listUnits, type Shard, shardUnits } from './units.ts';

export interface ExploreOptions extends ExploreConfig {
  /** Worker threads (default: one per CPU); 1 explores in this thread. */
  jobs?: number;
  shard?: Shard;
  /** Told the estimated work before it starts (with advice above `warnAbove`). */
  onEstimate?: (e: WorkEstimate) => void;
  warnAbove?: number;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  unitsDone: number;
  units: number;
  sequences: number;
  /** The estimate made before starting. */
  estimated: number;
  states: number;
}

export interface ExploreResult {
  config: ExploreConfig;
  depth: number;
  uploadsExplored: boolean;
  uploadNote: string | undefined;
  shard: Shard | undefined;
  jobs: number;
  /** Units run here, of how many in all. */
  units: number;
  totalUnits: number;
  /** Added up from this many shards' reports (`--merge`). */
  merged?: number;
  /** Which units (their indices in the full list). */
  unitIndices: number[];
  sequences: number;
  /** Distinct states (by stateHash) reached by the units run here, and their hashes. */
  states: number;
  stateHashes: string[];
  failures: FailureRecord[];
  /** The units' own failures (without never-succeeds): what shards' reports are merged from. */
  unitFailures: FailureRecord[];
  /**
   * Uploads and applies over the units run here: which succeeded, the first refusal of each. A shard cannot
   * tell alone whether another shard saw one succeed: its never-succeeds failures come from `--merge`.
   */
  attempts: Attempts;
  /** The root's uploads, as scenario steps. */
  rootSteps: Step[];
  /** Every explored sequence, in unit order (when config.collectSequences). */
  labels: string[];
  ms: number;
}

/** Progress summed over units, the finished ones and the latest figures of the running ones. */
function progressTracker(units: number, estimated: number, report?: (p: Progress) => void): (p: UnitProgress) => void {
  const latest = new Map<number, UnitProgress>();
  return (p) => {
    latest.set(p.unit, p);
    if (!report) return;
    let sequences = 0;
    let states = 0;
    let unitsDone = 0;
    for (const x of latest.values()) {
      sequences += x.sequences;
      states += x.states;
      if (x.done) unitsDone++;
    }
    report({ unitsDone, units, sequences, estimated, states });
  };
}

export async function explore(opts: ExploreOptions): Promise<ExploreResult> {
  const t0 = performance.now();
  const { jobs: wanted, shard, onProgress, onEstimate, warnAbove, ...config } = opts;
  const session = new Session(config);
  try {
    const all = listUnits(session);
    const units = shardUnits(all, shard);
    const jobs = Math.max(1, Math.min(wanted ?? availableParallelism(), units.length));
    const estimate = onEstimate || onProgress ? estimateWork(session, units, warnAbove) : { sequences: 0 };
    onEstimate?.(estimate);
    const track = progressTracker(units.length, estimate.sequences, onProgress);
    let results: UnitResult[];
    if (jobs === 1) {
      results = units.map((u) => {
        const r = new UnitExplorer(session, u, (p) => track({ unit: p.unit, sequences: p.sequences, states: p.states.length, done: false })).run();
        track({ unit: r.unit, sequences: r.sequences, states: r.states.length, done: true });
        return r;
      });
    } else {
      results = await runInWorkers({ config, facts: session.facts }, units, jobs, track);
    }
    results.sort((a, b) => a.unit - b.unit);
    // Uploads done at the root succeeded (in every unit).
    const atRoot: Attempts = { succeeded: session.uploadsExplored ? [] : session.names.map((n) => `upload ${n}`), refused: [] };
    const attempts = mergeAttempts([atRoot, ...results.map((r) => r.attempts)]);
    const unitFailures = mergeFailures(results.map((r) => r.failures));
    const hashes = new Set(results.flatMap((r) => r.states));
    return {
      config, depth: session.depth, uploadsExplored: session.uploadsExplored, uploadNote: session.uploadNote, shard, jobs,
      units: units.length, totalUnits: all.length, unitIndices: units.map((u) => u.index),
      sequences: results.reduce((n, r) => n + r.sequences, 0),
      states: hashes.size, stateHashes: [...hashes],
      failures: mergeFailures([unitFailures, shard ? [] : neverSucceeded([attempts])]), unitFailures,
      attempts,
      rootSteps: session.root.steps,
      labels: results.flatMap((r) => r.labels),
      ms: performance.now() - t0,
    };
  } finally {
    session.close();
  }
}

/** The work `explore(opts)` would do, estimated without running it. */
export function estimate(opts: ExploreOptions): WorkEstimate {
  const { jobs: _j, shard, onProgress: _p, onEstimate: _e, warnAbove, ...config } = opts;
  const session = new Session(config);
  try {
    return estimateWork(session, shardUnits(listUnits(session), shard), warnAbove);
  } finally {
    session.close();
  }
}

// `xlp explore` as a function: list the units, run them here or on worker threads, merge their results.
import { availableParallelism } from 'node:os';
import type { Step } from '../scenario/schema.ts';
import type { ExploreConfig } from './config.ts';
import { UnitExplorer, type UnitResult } from './engine.ts';
import { type FailureRecord, mergeFailures } from './failures.ts';
import { runInWorkers, type UnitProgress } from './pool.ts';
import { Session } from './session.ts';
import { listUnits, type Shard, shardUnits } from './units.ts';

export interface ExploreOptions extends ExploreConfig {
  /** Worker threads (default: one per CPU); 1 explores in this thread. */
  jobs?: number;
  shard?: Shard;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  unitsDone: number;
  units: number;
  sequences: number;
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
  sequences: number;
  /** Distinct states (by stateHash) reached by the units run here. */
  states: number;
  failures: FailureRecord[];
  /** The root's uploads, as scenario steps. */
  rootSteps: Step[];
  /** Every explored sequence, in unit order (when config.collectSequences). */
  labels: string[];
  ms: number;
}

/** Progress summed over units, the finished ones and the latest figures of the running ones. */
function progressTracker(units: number, report?: (p: Progress) => void): (p: UnitProgress) => void {
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
    report({ unitsDone, units, sequences, states });
  };
}

export async function explore(opts: ExploreOptions): Promise<ExploreResult> {
  const t0 = performance.now();
  const { jobs: wanted, shard, onProgress, ...config } = opts;
  const session = new Session(config);
  try {
    const all = listUnits(session);
    const units = shardUnits(all, shard);
    const jobs = Math.max(1, Math.min(wanted ?? availableParallelism(), units.length));
    const track = progressTracker(units.length, onProgress);
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
    return {
      config, depth: session.depth, uploadsExplored: session.uploadsExplored, uploadNote: session.uploadNote, shard, jobs,
      units: units.length, totalUnits: all.length,
      sequences: results.reduce((n, r) => n + r.sequences, 0),
      states: new Set(results.flatMap((r) => r.states)).size,
      failures: mergeFailures(results.map((r) => r.failures)),
      rootSteps: session.root.steps,
      labels: results.flatMap((r) => r.labels),
      ms: performance.now() - t0,
    };
  } finally {
    session.close();
  }
}

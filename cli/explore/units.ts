// Units of work: the root state's own checks, then one unit per first operation, in a fixed order. States
// are merged within a unit, so a unit explores the same sequences wherever it runs: workers and --shard
// hand out whole units, and across shards every sequence is explored exactly once.
import { allOps, exploredKinds, type Op } from './ops.ts';
import type { Session } from './session.ts';

export interface Unit {
  /** Position in the full list (0: the root). */
  index: number;
  /** The first operation; undefined for the root unit. */
  first?: Op;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function listUnits(s: Session): Unit[] {
  const first = s.config.mode === 'orders' ? allOps(['apply'], s.names) : allOps(exploredKinds(s.uploadsExplored), s.names);
  return [{ index: 0 }, ...first.map((op, i) => ({ index: i + 1, first: op }))];
}

/** Shard I of N takes every N-th unit, starting with the I-th. */
export function shardUnits(units: readonly Unit[], shard: Shard | undefined): Unit[] {
  return shard ? units.filter((u) => u.index % shard.count === shard.index - 1) : [...units];
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard takes I/N with 1 <= I <= N (got ${text})`);
  return { index, count };
}

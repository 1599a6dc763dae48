// `xlp explore --merge`: the JSON reports of shards (`--shard I/N --json`) as the one run they add up to.
// Each report carries what merging needs (its units, state hashes, failure records, attempts); failures are
// merged by key and rank exactly as the units' are in one run, and what never succeeded is judged over all.
import type { Step } from '../scenario/schema.ts';
import { type ExploreConfig, payloadName } from './config.ts';
import type { ExploreResult } from './explore.ts';
import { type FailureRecord, mergeFailures } from './failures.ts';
import { type Attempts, mergeAttempts, neverSucceeded } from './never.ts';

/** What a report's `merge` member holds (bigints encoded as `{ bigint: "0x…" }`). */
export interface MergeData {
  config: ExploreConfig;
  depth: number;
  uploadsExplored: boolean;
  uploadNote: string | null;
  totalUnits: number;
  sequences: number;
  unitIndices: number[];
  stateHashes: string[];
  rootSteps: Step[];
  records: FailureRecord[];
  attempts: Attempts;
  ms: number;
}

export function mergeData(r: ExploreResult): unknown {
  return encode({
    config: r.config, depth: r.depth, uploadsExplored: r.uploadsExplored, uploadNote: r.uploadNote ?? null,
    totalUnits: r.totalUnits, sequences: r.sequences, unitIndices: r.unitIndices, stateHashes: r.stateHashes, rootSteps: r.rootSteps,
    records: r.unitFailures, attempts: r.attempts, ms: r.ms,
  } satisfies MergeData);
}

/** Reads the `merge` member of each shard's report (parsed JSON) and adds them up. */
export function mergeReports(reports: readonly { file: string; json: unknown }[]): ExploreResult {
  const parts = reports.map(({ file, json }) => {
    const m = (json as { merge?: unknown } | null)?.merge;
    if (!m || typeof m !== 'object') throw new Error(`${file}: not a report of \`xlp explore --json\` (no "merge" member)`);
    return { file, data: decode(m) as MergeData };
  });
  if (!parts.length) throw new Error('--merge needs the JSON reports of the shards');
  const first = parts[0]!;
  const same = (d: MergeData): string => JSON.stringify([d.config.image, d.config.payloads.map(payloadName), d.config.mode,
    d.depth, d.config.nodeps, encode(d.config.checks), d.totalUnits]);
  for (const p of parts) {
    if (same(p.data) !== same(first.data)) throw new Error(`${p.file} explored something else than ${first.file} (image, payloads, mode, depth, nodeps, checks)`);
  }
  const seen = new Map<number, string>();
  for (const p of parts) {
    for (const u of p.data.unitIndices) {
      if (seen.has(u)) throw new Error(`unit ${u} is in both ${seen.get(u)} and ${p.file}: give each shard once`);
      seen.set(u, p.file);
    }
  }
  const missing = Array.from({ length: first.data.totalUnits }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw new Error(`${missing.length} of ${first.data.totalUnits} units are in no report (a shard is missing)`);
  const d = parts.map((p) => p.data);
  const attempts = mergeAttempts(d.map((x) => x.attempts));
  const unitFailures = mergeFailures(d.map((x) => x.records));
  const hashes = new Set(d.flatMap((x) => x.stateHashes));
  return {
    config: first.data.config, depth: first.data.depth, uploadsExplored: first.data.uploadsExplored,
    uploadNote: first.data.uploadNote ?? undefined, shard: undefined, jobs: 1, merged: parts.length,
    units: seen.size, totalUnits: first.data.totalUnits, unitIndices: [...seen.keys()].sort((a, b) => a - b),
    sequences: d.reduce((n, x) => n + x.sequences, 0), states: hashes.size, stateHashes: [...hashes],
    failures: mergeFailures([unitFailures, neverSucceeded([attempts])]), unitFailures, attempts,
    rootSteps: first.data.rootSteps, labels: [], ms: d.reduce((n, x) => n + x.ms, 0),
  };
}

const encode = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) =>
  typeof x === 'bigint' ? { bigint: `${x < 0n ? '-' : ''}0x${(x < 0n ? -x : x).toString(16)}` } : x));

const decode = (v: unknown): unknown => JSON.parse(JSON.stringify(v), (_k, x: unknown) => {
  if (x && typeof x === 'object' && !Array.isArray(x)) {
    const keys = Object.keys(x);
    const b = (x as { bigint?: unknown }).bigint;
    if (keys.length === 1 && typeof b === 'string' && /^-?0x[0-9a-f]+$/.test(b)) return b.startsWith('-') ? -BigInt(b.slice(1)) : BigInt(b);
  }
  return x;
});

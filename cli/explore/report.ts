// explore's results as text (for people) and JSON (for machines).
import { describeStep } from '../scenario/runner.ts';
import { payloadName } from './config.ts';
import type { ExploreResult } from './explore.ts';
import { INVARIANT_NAMES } from './failures.ts';
import { mergeData } from './merge.ts';

const sequenceOf = (r: ExploreResult, i: number): string[] =>
  [...r.rootSteps, ...r.failures[i]!.steps].map(describeStep);

export function textReport(r: ExploreResult, files: readonly string[]): string[] {
  const c = r.config;
  const names = c.payloads.map(payloadName);
  const opts = [
    c.mode === 'orders' ? 'apply orders' : `depth ${r.depth}`,
    c.nodeps ? 'nodeps' : '',
    c.checks.length ? `${c.checks.length} check${c.checks.length === 1 ? '' : 's'}` : '',
    r.shard ? `shard ${r.shard.index}/${r.shard.count}` : '',
  ].filter(Boolean);
  const lines = [
    `explore ${names.join(', ')} on ${c.image} (${opts.join(', ')})`,
    r.uploadsExplored ? `  uploads are explored too: ${r.uploadNote}` : '  root: every payload uploaded',
    `  ${r.sequences} sequences explored, ${r.states} distinct states, ${r.units}/${r.totalUnits} units, ` +
      (r.merged ? `merged from ${r.merged} reports` : `${r.jobs} job${r.jobs === 1 ? '' : 's'}`) + `, ${(r.ms / 1000).toFixed(2)} s`,
  ];
  if (r.shard) lines.push('  whether an upload or apply succeeds on no path is judged over all shards: see --merge');
  if (!r.failures.length) {
    lines.push('no failures');
    return lines;
  }
  lines.push(`${r.failures.length} failure${r.failures.length === 1 ? '' : 's'}:`);
  r.failures.forEach((f, i) => {
    lines.push(`  ${i + 1}. [${INVARIANT_NAMES[f.invariant]}] ${f.subject}: ${f.message}`);
    lines.push(`     sequence: ${sequenceOf(r, i).join(', ') || '(the root state)'}`);
    lines.push(`     then: ${f.final.map(describeStep).join(', ')}`);
    if (files[i]) lines.push(`     scenario: ${files[i]}`);
  });
  return lines;
}

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v);

/** Version of explore's JSON (README): bumped when a field changes meaning or goes away. */
export const EXPLORE_JSON_VERSION = 1;

export function jsonReport(r: ExploreResult, files: readonly string[]): string {
  const c = r.config;
  return JSON.stringify(
    {
      version: EXPLORE_JSON_VERSION,
      ok: r.failures.length === 0,
      image: c.image,
      payloads: c.payloads.map(payloadName),
      mode: c.mode,
      depth: r.depth,
      nodeps: c.nodeps,
      uploadsExplored: r.uploadsExplored,
      shard: r.shard ?? null,
      jobs: r.jobs,
      merged: r.merged ?? null,
      units: r.units,
      totalUnits: r.totalUnits,
      sequences: r.sequences,
      states: r.states,
      ms: Math.round(r.ms),
      failures: r.failures.map((f, i) => ({
        invariant: f.invariant,
        kind: INVARIANT_NAMES[f.invariant],
        subject: f.subject,
        message: f.message,
        sequence: sequenceOf(r, i),
        check: f.final.map(describeStep),
        scenario: files[i] ?? null,
      })),
      merge: mergeData(r),
    },
    big,
    1,
  );
}

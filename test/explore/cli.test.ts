// The explore verb: --json for machines, bad arguments, and bin/xlp with worker threads (the compiled worker
// from dist/; in-process tests load the TypeScript worker through tsx).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { estimate } from '../../cli/explore/explore.ts';
import { PLAIN_ANSWER_CHECKS, file, plantedBug, xlp } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'xlp-explore-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface JsonReport {
  ok: boolean;
  payloads: string[];
  depth: number;
  sequences: number;
  states: number;
  units: number;
  totalUnits: number;
  failures: { invariant: number; kind: string; subject: string; sequence: string[]; check: string[]; scenario: string }[];
}

describe('xlp explore --json', () => {
  it('prints one JSON document with the figures and each failure', async () => {
    const out = join(tmp, 'json');
    const r = await xlp('explore', '--json', '--nodeps', '--jobs', '1', '--check', PLAIN_ANSWER_CHECKS, '--out', out, 'xlp_order_jmp', 'xlp_order_nop');
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(1);
    const j = JSON.parse(r.out[0]!) as JsonReport;
    // 9 units: the root and one per first operation (apply/revert/replace/unload x 2 payloads). 488 sequences:
    // each unit's first operation, then 8 operations from each of the 60 states the units reach at depths 1-3;
    // the model (cli/explore/model.ts, written apart from the loader) predicts the same before anything runs.
    // (The distinct states are compared between runs in shard.test.ts and merge.test.ts, not against a figure.)
    expect(j).toMatchObject({ ok: false, payloads: ['xlp_order_jmp', 'xlp_order_nop'], depth: 4, sequences: 8 + 8 * 60, units: 9, totalUnits: 9 });
    expect(estimate(plantedBug()).sequences).toBe(j.sequences);
    expect(j.failures).toEqual([{
      invariant: 4, kind: 'check', subject: 'check 1 plain_answer', message: expect.stringContaining('expected return value 43'),
      sequence: ['upload xlp_order_jmp', 'upload xlp_order_nop', 'apply xlp_order_jmp --nodeps', 'apply xlp_order_nop --nodeps'],
      check: ['call plain_answer'], scenario: join(out, '01-check-check-1-plain_answer.yaml'),
    }]);
  });

  it('exits 0 without failures and writes no scenario', async () => {
    const out = join(tmp, 'none');
    const r = await xlp('explore', '--json', '--nodeps', '--jobs', '1', '--depth', '2', '--out', out, file('xlp_warn'), file('xlp_endbr'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ version: 1, ok: true, failures: [] });
    expect(() => readdirSync(out)).toThrow();
  });
});

describe('xlp explore arguments', () => {
  it.each([
    [['explore', 'no/such.livepatch'], /payload file no\/such.livepatch not found/],
    [['explore', 'xlp_warn', '--shard', '3/2'], /--shard takes I\/N/],
    [['explore', 'xlp_warn', '--jobs', '0'], /--jobs takes a positive integer/],
    [['explore', 'xlp_warn', '--check', 'package.json'], /expected a mapping with a `checks:` list/],
  ])('%j fails with a message', async (argv, message) => {
    const r = await xlp(...argv);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(message);
  });
});

describe('bin/xlp explore', () => {
  it('runs its compiled worker threads through bin/xlp', () => {
    const r = spawnSync(join(REPO_ROOT, 'bin/xlp'), ['explore', '--json', '--jobs', '2', '--nodeps', '--orders', 'xlp_warn', 'xlp_endbr', 'xlp_order_jmp'], {
      encoding: 'utf8', cwd: tmp,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The hand count of explore.test.ts ('apply orders of 3 payloads'): 26 states, 30 sequences.
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, jobs: 2, sequences: 3 * (1 + 2 + 2 + 2 + 2 + 1), states: 1 + 3 + 6 + 6 + 6 + 3 + 1 });
  });
});

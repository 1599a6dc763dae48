// --merge: three shard processes (bin/xlp explore --shard I/3 --json), added up, give the failures of one run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore } from '../../cli/explore/explore.ts';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { PLAIN_ANSWER_CHECKS, file, plantedBug, xlp } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'xlp-merge-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function shard(i: number): Promise<string> {
  const args = ['explore', '--json', '--nodeps', '--jobs', '1', '--check', PLAIN_ANSWER_CHECKS, '--shard', `${i}/3`,
    '--out', join(tmp, `out-${i}`), file('xlp_order_jmp'), file('xlp_order_nop')];
  return new Promise((resolve, reject) => {
    const p = spawn(join(REPO_ROOT, 'bin/xlp'), args, { cwd: tmp });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('error', reject);
    p.on('close', () => (err ? reject(new Error(err)) : resolve(out)));
  });
}

describe('xlp explore --merge', () => {
  it('adds up 3 shard processes into the failures, sequences and states of one run', async () => {
    const [one, ...reports] = await Promise.all([explore(plantedBug()), shard(1), shard(2), shard(3)]);
    const files = reports.map((text, i) => {
      const f = join(tmp, `shard-${i + 1}.json`);
      writeFileSync(f, text);
      return f;
    });
    const r = await xlp('explore', '--merge', '--json', '--out', join(tmp, 'merged'), ...files);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(1);
    const merged = JSON.parse(r.out[0]!) as { sequences: number; states: number; units: number; failures: { subject: string; sequence: string[]; message: string }[] };
    expect({ sequences: merged.sequences, states: merged.states, units: merged.units })
      .toEqual({ sequences: one.sequences, states: one.states, units: one.totalUnits });
    expect(merged.failures.map((f) => [f.subject, f.message, f.sequence.slice(2)])).toEqual(one.failures.map((f) => [
      f.subject, f.message, f.steps.map((s) => `${s.op} ${s.target}${s.nodeps ? ' --nodeps' : ''}`)]));
  }, 60_000);

  it('refuses a missing shard and a shard given twice', async () => {
    const a = join(tmp, 'shard-1.json');
    expect((await xlp('explore', '--merge', a)).err.join('\n')).toMatch(/units are in no report \(a shard is missing\)/);
    expect((await xlp('explore', '--merge', a, a)).err.join('\n')).toMatch(/give each shard once/);
    expect((await xlp('explore', '--merge', join(REPO_ROOT, 'package.json'))).err.join('\n')).toMatch(/no "merge" member/);
  });
});

// xlp explore on real payloads: state counts that can be worked out by hand, the planted load-order bug found
// with its shortest sequence and replayed by `xlp run`, and worker threads giving what one thread gives.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore, type ExploreResult } from '../../cli/explore/explore.ts';
import { writeScenarios } from '../../cli/explore/scenario-file.ts';
import { describeStep } from '../../cli/scenario/runner.ts';
import { file, plantedBug, xlp } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'xlp-explore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sequence = (r: ExploreResult, i: number): string[] => [...r.rootSteps, ...r.failures[i]!.steps].map(describeStep);

/** What a run gives, without its timing. */
const essence = (r: ExploreResult): unknown => ({
  sequences: r.sequences, states: r.states, labels: r.labels,
  failures: r.failures.map((f) => ({ key: f.key, message: f.message, steps: f.steps, final: f.final, rank: f.rank.slice(0, 2) })),
});

describe('explore finds no failure where there is none, with the states worked out by hand', () => {
  it('apply orders of 3 payloads patching 3 different functions: 26 states, 30 sequences', async () => {
    const r = await explore({
      image: 'builtin', payloads: ['xlp_warn', 'xlp_endbr', 'xlp_order_jmp'].map(file), mode: 'orders', nodeps: true, checks: [], jobs: 1,
    });
    expect(r.failures).toEqual([]);
    expect(r.depth).toBe(6);
    // Applying: the root, 3 one-payload stacks, 6 two-payload stacks, 6 full stacks. Unwinding: 6 stacks of two
    // with the third reverted, 3 of one with two reverted, then all reverted; each patches its own function, so
    // the order they were applied in leaves nothing behind once reverted and the paths merge.
    expect(r.states).toBe(1 + 3 + 6 + 6 + 6 + 3 + 1);
    // Per first payload (a unit): 1 + 2 + 2 applies, 2 reverts of the full stacks, 2 that merge, 1 last revert.
    expect(r.sequences).toBe(3 * (1 + 2 + 2 + 2 + 2 + 1));
  });

  it('every operation on 2 payloads, 2 deep: 14 states, 56 sequences', async () => {
    const r = await explore({
      image: 'builtin', payloads: [file('xlp_warn'), file('xlp_endbr')], mode: 'all', nodeps: true, checks: [], depth: 2, jobs: 1,
      collectSequences: true,
    });
    expect(r.failures).toEqual([]);
    expect(r.totalUnits).toBe(1 + 4 * 2);
    // 8 first operations, then 8 more after each of the 6 that change the state (reverting at the root does not).
    expect(r.sequences).toBe(8 + 6 * 8);
    expect(r.labels).toHaveLength(r.sequences);
    // The root; 4 after one step (apply = replace when nothing is applied; unload A; unload B); 9 after two
    // ([A,B], [B,A], A or B reverted, A or B replacing the other, each alone, nothing loaded).
    expect(r.states).toBe(1 + 4 + 9);
  });
});

describe('the planted load-order bug (xlp_order_jmp then xlp_order_nop)', () => {
  let r: ExploreResult;
  let files: string[];

  it('is found once, with its shortest sequence', async () => {
    r = await explore(plantedBug());
    expect(r.uploadsExplored).toBe(false);
    expect(r.failures).toHaveLength(1);
    const f = r.failures[0]!;
    expect(f.invariant).toBe(4);
    expect(f.message).toMatch(/^plain_answer\(\) returns 43 when xlp_order_jmp applied: expected return value 43, got/);
    expect(sequence(r, 0)).toEqual([
      'upload xlp_order_jmp', 'upload xlp_order_nop', 'apply xlp_order_jmp --nodeps', 'apply xlp_order_nop --nodeps',
    ]);
    expect(f.final.map(describeStep)).toEqual(['call plain_answer']);
    expect(f.final[0]!.expect).toEqual({ returns: 43n });
    // The other order is fine: the jump lands on the NOPs.
    expect(r.failures.some((x) => x.steps.map(describeStep).join() === 'apply xlp_order_nop --nodeps,apply xlp_order_jmp --nodeps')).toBe(false);
  });

  it('is written as a scenario that xlp run replays and that fails at the check', async () => {
    files = writeScenarios(r, join(tmp, 'planted'));
    expect(files).toHaveLength(1);
    const text = readFileSync(files[0]!, 'utf8');
    expect(text).toContain('- call: plain_answer\n    returns: 43');
    const run = await xlp('run', files[0]!);
    expect(run.code).toBe(1);
    expect(run.out.slice(1, 6)).toEqual([
      '  ok     1 upload xlp_order_jmp',
      '  ok     2 upload xlp_order_nop',
      '  ok     3 apply xlp_order_jmp --nodeps',
      '  ok     4 apply xlp_order_nop --nodeps',
      '  FAIL   5 call plain_answer',
    ]);
    expect(run.out[6]).toMatch(/^ {9}expected return value 43, got /);
    expect(run.out.at(-1)).toMatch(/^FAIL .*: 4\/5 steps/);
  });

  it('is reported by the command, which exits 1 and writes the scenario into --out', async () => {
    const out = join(tmp, 'cli');
    const c = await xlp('explore', file('xlp_order_jmp'), file('xlp_order_nop'), '--nodeps', '--check', 'scenarios/checks/plain-answer.yaml',
      '--jobs', '1', '--out', out);
    expect(c.code).toBe(1);
    expect(c.out[0]).toBe('explore xlp_order_jmp, xlp_order_nop on builtin (depth 4, nodeps, 1 check)');
    expect(c.out[2]).toMatch(/^ {2}488 sequences explored, 45 distinct states, 9\/9 units, 1 job, /);
    expect(c.out.slice(3, 6)).toEqual([
      '1 failure:',
      expect.stringMatching(/^ {2}1\. \[check\] check 1 plain_answer: plain_answer\(\) returns 43 when xlp_order_jmp applied: expected return value 43, got /),
      '     sequence: upload xlp_order_jmp, upload xlp_order_nop, apply xlp_order_jmp --nodeps, apply xlp_order_nop --nodeps',
    ]);
    expect(c.out.at(-1)).toBe(`     scenario: ${join(out, '01-check-check-1-plain_answer.yaml')}`);
  });
});

describe('worker threads', () => {
  it('give exactly what one thread gives (under vitest: tsx is loaded in each worker)', async () => {
    const one = await explore(plantedBug({ collectSequences: true, jobs: 1 }));
    const two = await explore(plantedBug({ collectSequences: true, jobs: 2 }));
    expect(two.jobs).toBe(2);
    expect(essence(two)).toEqual(essence(one));
    expect(one.failures).toHaveLength(1);
  });
});

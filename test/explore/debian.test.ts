// xlp explore on Debian's real Xen, 4.17 (bookworm) and 4.20 (trixie), with Xen's own test payloads
// xen_hello_world and xen_bye_world (bye depends on hello's build-id). What must be found follows from Xen's
// livepatch_action() (the spec's action table; its "newer versions" notes: no change to these rules through
// 4.20) and the payloads' sources:
//
// - hello has a .bss counter, so once reverted it is not safe_to_reapply: APPLY leaves it CHECKED with rc
//   -EINVAL. REPLACE has no such check, so REPLACE re-applies it and its load hook hi_func runs again.
// - hello's unload hook check_fnc BUG_ON(cnt == 0 || cnt > 2): hi_func is both a load and an unload hook, so
//   apply (cnt 1), revert (2), replace (3), revert BUGs. That is the one failure: a real Xen dies there too.
// - every other refusal is Xen's errno (invariant 3 compares them with the model), and both payloads upload
//   and apply on some path (bye on top of hello), so nothing is `never`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseChecks } from '../../cli/explore/checks.ts';
import { type ExploreOptions, type ExploreResult, estimate, explore } from '../../cli/explore/explore.ts';
import { describeStep } from '../../cli/scenario/runner.ts';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { xlp } from './helpers.ts';

// What each payload's new xen_extra_version returns (guest/payloads/xen_{hello,bye}_world_func.c)
const CHECK_TEXT = [
  'checks:',
  '  - when: { top: xen_hello_world }', '    call: xen_extra_version', '    string: Hello World',
  '  - when: { top: xen_bye_world }', '    call: xen_extra_version', '    string: Bye World!',
].join('\n');
const CHECKS = parseChecks(CHECK_TEXT);
const checkFile = (dir: string): string => {
  const f = join(dir, 'checks.yaml');
  writeFileSync(f, CHECK_TEXT);
  return f;
};

/** The line of check_fnc's BUG_ON in the payload's source: where Xen's BUG frame points. */
const BUG_LINE = readFileSync(join(REPO_ROOT, 'guest/payloads/xen_hello_world.c'), 'utf8').split('\n')
  .findIndex((l) => l.includes('BUG_ON(cnt == 0 || cnt > 2);')) + 1;

const IMAGES = ['debian', 'debian-4.20'] as const;
const optionsFor = (target: (typeof IMAGES)[number]): ExploreOptions => ({
  image: target, payloads: ['xen_hello_world', 'xen_bye_world'].map((p) => payloadPath(target, p)), mode: 'all', nodeps: false, checks: CHECKS, jobs: 1,
});
const results = new Map<string, ExploreResult>();

describe.each(IMAGES)('explore xen_hello_world and xen_bye_world on %s', (target) => {
  const opts = optionsFor(target);
  let r: ExploreResult;
  beforeAll(async () => {
    r = await explore(opts);
    results.set(target, r);
  });

  it('explores every sequence the model predicts, 4 operations deep, and both payloads upload and apply somewhere', () => {
    expect(BUG_LINE).toBeGreaterThan(0);
    expect([r.depth, r.uploadsExplored]).toEqual([4, false]);
    expect(r.sequences).toBe(estimate(opts).sequences); // the model (cli/explore/model.ts) is written apart from the loader
    expect([...r.attempts.succeeded].sort()).toEqual(['apply xen_bye_world', 'apply xen_hello_world', 'upload xen_bye_world', 'upload xen_hello_world']);
    expect(r.failures.filter((f) => f.invariant === 5)).toEqual([]);
  });

  it("finds one failure, Xen's own: check_fnc's BUG when REPLACE re-applied a reverted hello", () => {
    expect(r.failures.map((f) => [f.invariant, f.subject])).toEqual([[1, 'revert xen_hello_world']]);
    const f = r.failures[0]!;
    expect(f.message).toMatch(new RegExp(`^the hypervisor died: #UD \\(vector 6\\) at xen_hello_world!check_fnc\\+0x[0-9a-f]+ .*: Xen BUG at payloads/xen_hello_world\\.c:${BUG_LINE}$`));
    const steps = [...r.rootSteps, ...f.steps].map(describeStep);
    expect(steps.slice(0, 2)).toEqual(['upload xen_hello_world', 'upload xen_bye_world']);
    // the shortest: hello's hooks run by one of apply/replace, a revert, then REPLACE (APPLY is refused here)
    expect(['apply xen_hello_world', 'replace xen_hello_world']).toContain(steps[2]);
    expect(steps.slice(3)).toEqual(['revert xen_hello_world', 'replace xen_hello_world']);
    expect(f.final.map(describeStep)).toEqual(['revert xen_hello_world']);
  });
});

describe('xlp explore on debian-4.20 with worker threads', () => {
  it('reports what one thread found (the workers boot the image themselves); no --image: the one xen_depends names', async () => {
    const r = results.get('debian-4.20')!;
    const out = mkdtempSync(join(tmpdir(), 'xlp-explore-debian-'));
    const c = await xlp('explore', '--json', '--jobs', '2', '--check', checkFile(out), '--out', out, ...optionsFor('debian-4.20').payloads);
    rmSync(out, { recursive: true, force: true });
    expect(c.code).toBe(1);
    const j = JSON.parse(c.out[0]!) as { jobs: number; sequences: number; states: number; failures: { subject: string; sequence: string[]; check: string[] }[] };
    expect([j.jobs, j.sequences, j.states]).toEqual([2, r.sequences, r.states]);
    expect(j.failures.map((f) => [f.subject, [...f.sequence, ...f.check]])).toEqual(
      r.failures.map((f) => [f.subject, [...r.rootSteps, ...f.steps, ...f.final].map(describeStep)]));
  });
});

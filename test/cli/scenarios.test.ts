// `xlp run`: every shipped scenario passes; a mismatch stops at its step with expected and actual; JSON and JUnit.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { xlp } from '../helpers/cli.ts';

const SCENARIOS = join(REPO_ROOT, 'scenarios');
const shipped = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));

describe('shipped scenarios', () => {
  it('include the canonical sequence for every image', () => {
    expect(shipped).toEqual(expect.arrayContaining(['canonical-builtin.yaml', 'canonical-debian.yaml', 'canonical-debian-4.20.yaml']));
  });
  it.each(shipped)('%s passes', async (f) => {
    const r = await xlp('run', join(SCENARIOS, f));
    expect(r.err).toEqual([]);
    expect(r.out.at(-1)).toMatch(/^PASS /);
    expect(r.code).toBe(0);
  });
});

describe('xlp run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xlp-run-'));
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('stops at the first mismatch and reports step, expected and actual (exit 1)', async () => {
    const f = write('bad.yaml', `image: builtin
steps:
  - load: xen_hello_world
  - call: xen_extra_version
    string: Goodbye World
  - revert: xen_hello_world
`);
    const r = await xlp('run', f);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      'scenario bad.yaml (builtin): 3 steps',
      '  ok     1 load xen_hello_world',
      '  FAIL   2 call xen_extra_version',
      '         expected string "Goodbye World", got "Hello World"',
      expect.stringMatching(/^FAIL bad\.yaml: 1\/3 steps \(\d+ ms\)$/),
    ]);
  });

  it('reports an unexpected errno and an unexpected success', async () => {
    const f = write('errno.yaml', `steps:
  - revert: nothing_here
`);
    expect((await xlp('run', f)).out[2]).toBe('         failed with ENOENT (-ENOENT: no payload named nothing_here)');
    const g = write('success.yaml', `steps:
  - load: xen_hello_world
    errno: EINVAL
`);
    expect((await xlp('run', g)).out[2]).toBe('         expected errno EINVAL, got success');
  });

  it('writes JSON and JUnit XML for CI', async () => {
    const ok = join(SCENARIOS, 'faults-builtin.yaml');
    const bad = write('junit.yaml', `name: fails at 2
steps:
  - call: xen_minor_version
    returns: 17
  - call: xen_minor_version
    returns: 18
  - call: xen_major_version
`);
    const junit = join(dir, 'out.xml');
    const r = await xlp('run', ok, bad, '--json', '--junit', junit);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out.join('\n')) as { ok: boolean; scenarios: { ok: boolean; steps: { ok: boolean; mismatches: string[] }[] }[] };
    expect(j.ok).toBe(false);
    expect(j.scenarios.map((s) => s.ok)).toEqual([true, false]);
    expect(j.scenarios[1]!.steps[1]!.mismatches).toEqual(['expected return value 18, got 17']);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="fails at 2" tests="3" failures="1" errors="0" skipped="1"/);
    expect(xml).toContain('<failure message="expected return value 18, got 17">');
    expect(xml).toContain('<skipped/>');
  });

  it('refuses malformed scenario files with a clear error', async () => {
    const f = write('malformed.yaml', `steps:
  - apply: a
    revert: b
`);
    expect(await xlp('run', f)).toEqual({ code: 1, out: [], err: [`xlp run: ${f}: step 1: a step needs exactly one of upload, apply, revert, replace, unload, load, call, idle, list (found apply, revert)`] });
    const g = write('typo.yaml', `steps:
  - call: xen_minor_version
    retruns: 17
`);
    expect((await xlp('run', g)).err).toEqual([`xlp run: ${g}: step 1: unknown key \`retruns\``]);
    expect((await xlp('run', join(dir, 'missing.yaml'))).code).toBe(1);
  });
});

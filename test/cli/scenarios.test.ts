// `xlp run`: every shipped scenario passes; a mismatch stops at its step with expected and actual; JSON and JUnit.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { parseScenario } from '../../cli/scenario/schema.ts';
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
      `         at ${f}:4`,
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
    const j = JSON.parse(r.out.join('\n')) as {
      version: number; ok: boolean; scenarios: { ok: boolean; ms: number; steps: { ok: boolean; line: number; mismatches: string[] }[] }[];
    };
    expect(j.version).toBe(1);
    expect(j.ok).toBe(false);
    expect(j.scenarios[1]!.steps.map((s) => s.line)).toEqual([3, 5]);
    expect(String(j.scenarios[1]!.ms)).toMatch(/^\d+(\.\d)?$/);
    expect(j.scenarios.map((s) => s.ok)).toEqual([true, false]);
    expect(j.scenarios[1]!.steps[1]!.mismatches).toEqual(['expected return value 18, got 17']);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="fails at 2" tests="3" failures="1" errors="0" skipped="1"/);
    expect(xml).toContain('<failure message="expected return value 18, got 17">');
    // A skipped case is named with its payload or symbol; the console and the fault report go to <system-out>.
    expect(xml).toContain('name="3 call xen_major_version" time="0.0000"><skipped/>');
    // The WARN line, then the register dump Xen prints after it (show_execution_state).
    expect(xml).toMatch(/<system-out>Xen WARN at payloads\/xlp_warn_func\.c:\d+\n----\[ Xen-[^\n]*\nCPU: {4}0\n/);
    expect(xml).toMatch(/<system-out>[^<]*fault: [^<]*Xen BUG at payloads\/xlp_bug_func\.c:\d+/);
  });

  it('checks a file before running it: every problem at file:line:column, unknown keys with a suggestion', async () => {
    const f = write('malformed.yaml', `imgae: builtin
steps:
  - apply: a
    revert: b
  - lod: xen_hello_world
  - call: xen_minor_version
    retruns: 17
    args: [0x10000000000000000]
  - revert: x
    errno: EBUSU
    console: "/([a/"
  - apply: y
    nodeps: "true"
  - list: [{ name: a, stat: APPLIED }]
  - call: f
    fault: { vectr: 6 }
`);
    const r = await xlp('run', f);
    expect(r.code).toBe(1);
    expect(r.out).toEqual(['FAIL malformed.yaml: not run']);
    // Positions counted by hand in the text above (line:column of the key or value at fault).
    expect(r.err).toEqual([
      `xlp run: ${f}:1:1: unknown key \`imgae\` (did you mean 'image'?)`,
      `xlp run: ${f}:3:5: a step needs exactly one of upload, apply, revert, replace, unload, load, call, idle, list (found apply, revert)`,
      `xlp run: ${f}:5:5: unknown key \`lod\` (did you mean 'load'?)`,
      `xlp run: ${f}:7:5: unknown key \`retruns\` (did you mean 'returns'?)`,
      `xlp run: ${f}:8:12: args[0]: 0x10000000000000000 does not fit in 64 bits`,
      `xlp run: ${f}:10:12: errno: unknown errno EBUSU (did you mean 'EBUSY'?)`,
      expect.stringMatching(new RegExp(`^xlp run: ${f}:11:14: console: invalid regular expression /\\(\\[a/`)),
      `xlp run: ${f}:13:13: nodeps: expected true or false, got "true"`,
      `xlp run: ${f}:14:23: unknown key \`stat\` (did you mean 'state'?)`,
      `xlp run: ${f}:16:14: unknown key \`vectr\` (did you mean 'vector'?)`,
    ]);
  });

  it('reads 64-bit integers exactly and fills each step\'s line', () => {
    const sc = parseScenario(`steps:
  - call: f
    args: [0x7fffffffffffffff, 0xffffffffffffffff, -1, "0x8000000000000000"]
    returns: 0xffffffffffffffff
  - idle
`, 'ints.yaml');
    expect(sc.steps[0]!.args).toEqual([0x7fffffffffffffffn, 0xffffffffffffffffn, -1n, 0x8000000000000000n]);
    expect(sc.steps[0]!.expect.returns).toBe(0xffffffffffffffffn);
    expect(sc.steps.map((s) => s.line)).toEqual([2, 5]);
    expect(() => parseScenario('steps:\n  - call: f\n    returns: -0x8000000000000001\n', 'neg.yaml')).toThrow('neg.yaml:3:14: returns: -0x8000000000000001 does not fit in 64 bits');
  });

  it('passes buffers to calls (zero:N, buf:HEX, str:TEXT) and checks what they hold afterwards (memory:)', async () => {
    // Debian's do_xen_version(XENVER_extraversion = 1, buf) as dom0 copies ".7" (xen_extraversion_t, 16 bytes);
    // memcpy/memset are libc's contract. Each buffer is checked after the call.
    const ok = write('buffers.yaml', `image: debian
steps:
  - call: do_xen_version
    domain: control
    args: [1, "zero:16"]
    returns: 0
    memory: [{ arg: 1, string: ".7", bytes: "2e37000000" }]
  - call: memcpy
    args: ["zero:8", "buf:41424344", 4]
    memory: [{ arg: 0, bytes: "4142434400000000", string: ABCD }, { arg: 1, bytes: "41424344" }]
  - call: strlen
    args: ["str:four"]
    returns: 4
`);
    const r = await xlp('run', ok);
    expect(r.err).toEqual([]);
    expect(r.out.at(-1)).toMatch(/^PASS /);

    const wrong = write('buffers-wrong.yaml', `image: debian
steps:
  - call: memset
    args: ["zero:4", 0x41, 2]
    memory: [{ arg: 0, bytes: "41414141" }]
`);
    const w = await xlp('run', wrong);
    expect(w.code).toBe(1);
    expect(w.out.join('\n')).toContain("expected argument 0's buffer to start with 41414141, got 41410000");

    const bad = write('buffers-bad.yaml', `steps:
  - call: f
    args: ["zero:0", "buf:4"]
    memory: [{ arg: 0, bytez: "00" }]
  - list: []
    memory: []
`);
    const b = await xlp('run', bad);
    expect(b.code).toBe(1);
    expect(b.err[0]).toMatch(new RegExp(`^xlp run: ${bad}:3:12: args\\[0\\]: zero:N needs a size from 1 to \\d+: "zero:0"$`));
    expect(b.err.join('\n')).toMatch(/args\[1\]: buf:HEX/);
    expect(b.err.join('\n')).toContain("unknown key `bytez` (did you mean 'bytes'?)");
    expect(b.err.join('\n')).toContain('`memory:` goes with call, not list');
  });

  it('reports each file on its own: a bad or missing file fails, the others run, JUnit is still written', async () => {
    const bad = write('lod.yaml', 'steps:\n  - lod: xen_hello_world\n');
    const good = write('good.yaml', 'steps:\n  - call: xen_minor_version\n    returns: 17\n');
    const junit = join(dir, 'each.xml');
    const missing = join(dir, 'missing.yaml');
    const r = await xlp('run', bad, missing, good, '--junit', junit);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`xlp run: ${bad}:2:5: unknown key \`lod\` (did you mean 'load'?)`, `xlp run: ${missing}: no such file`]);
    expect(r.out.at(-1)).toMatch(/^PASS good\.yaml: 1\/1 steps/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites tests="3" failures="0" errors="2">');
    expect(xml).toContain('<testcase classname="good.yaml" name="1 call xen_minor_version"');
    expect(xml).toContain(`<error message="${bad}:2:5: unknown key \`lod\` (did you mean &apos;load&apos;?)">`);
  });
});

// `xlp lint`: text blocks and exit codes, --json, --write-expectations (and that its output, compiled into the
// payload, satisfies lint and matches the image), and the image alone.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../cli/options.ts';
import { main } from '../../cli/xlp.ts';
import { BUILTIN_IMAGE, DEBIAN_IMAGE, REPO_ROOT } from '../../loader/image/index.ts';
import { LintImage, lint } from '../../loader/lint/index.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { FixtureBuilder } from './fixtures.ts';

async function xlp(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Output = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await main(argv, io);
  process.exitCode = undefined; // the command sets it for the real process; it is not this test's status
  return { code, out, err };
}

let fx: FixtureBuilder;
let clean: string;
let short: string;

beforeAll(() => {
  fx = new FixtureBuilder();
  clean = fx.payload('clean', { sources: ['lint_clean.c'] });
  short = fx.payload('short', { sources: ['lint_short_fn.c'] });
});
afterAll(() => fx.dispose());

describe('xlp lint (text)', () => {
  it('prints only notes and exits 0 for a clean payload', async () => {
    const r = await xlp('lint', clean);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      `image ${BUILTIN_IMAGE}:`,
      'note    XLP008 -: the image has no .comment: which compiler built it cannot be compared with the payloads',
      '        hint: keep .comment in the image (do not discard it in the linker script) to let lint compare compilers',
      '',
      `${clean}:`,
      `note    XLP012 common/alpha.c#helper: no expectation; from the image: .len = 9, .data = { ${hexBytes('common/alpha.c#helper', 9)} }`,
      '        hint: use the bytes shown (`xlp lint --write-expectations` prints them as a C initialiser)',
      '',
      '0 errors, 0 warnings, 2 notes',
    ]);
  });

  it('prints the error block and exits 1 for short_fn', async () => {
    const r = await xlp('lint', short);
    expect(r.code).toBe(1);
    const at = r.out.indexOf('error   XLP003 short_fn: function is 4 bytes, shorter than the 5-byte trampoline');
    expect(at).toBeGreaterThan(0);
    expect(r.out.slice(at + 1, at + 3)).toEqual([
      '        code: 8d 47 01 c3',
      '        hint: patch its callers instead, or make the function longer in the image',
    ]);
    expect(r.out.at(-1)).toBe('1 error, 0 warnings, 2 notes');
  });

  it('lints the image alone: a clean one exits 0, one with duplicates lists them and exits 1', async () => {
    expect(await xlp('lint', '--image', 'debian')).toEqual({ code: 0, out: ['0 errors, 0 warnings, 0 notes'], err: [] });
    const dup = fx.duplicateImage();
    const r = await xlp('lint', '--image', dup);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error   XLP005 dup.c#helper: defined 2 times in the image; Xen resolves the name to only one of them');
  });

  it('prints the image figures with --stats', async () => {
    const r = await xlp('lint', '--image', 'debian', '--stats');
    expect(r.out[0]).toBe('runtime .text functions: 3615 (955 start with ENDBR64, 5 too short to patch)');
  });

  it('reports a missing payload file as an error', async () => {
    const r = await xlp('lint', join(fx.dir, 'nope.livepatch'));
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^xlp: ENOENT/);
  });
});

describe('several payloads: each alone, or --together', () => {
  const hello = payloadPath('builtin', 'xen_hello_world');
  const hooks = payloadPath('builtin', 'xen_prepost_hooks');

  it('lints each payload against the image alone by default: no collision between them', async () => {
    const r = await xlp('lint', hello, hooks);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('with --together, the locals both export collide (-EEXIST), as nm shows', async () => {
    // Names both define (nm), less .LCn (Xen skips .L locals of merged sections) and each one's new function.
    const defined = (f: string): string[] => execFileSync('nm', ['--defined-only', f], { encoding: 'utf8' })
      .split('\n').map((l) => l.split(' ')[2]).filter((n): n is string => !!n && !n.startsWith('.L') && n !== 'xen_hello_world');
    const both = defined(hooks).filter((n) => defined(hello).includes(n));
    expect(both.length).toBeGreaterThan(0);
    const r = await xlp('lint', '--together', hello, hooks);
    expect(r.code).toBe(1);
    expect(r.out.filter((l) => l.startsWith('error')).sort()).toEqual(both.map((n) =>
      `error   XLP002 ${n}: xen_hello_world.livepatch exports it too: uploading both fails with -EEXIST`).sort());
  });

  it("gives for the shipped Debian set exactly the findings of each payload linted on its own", () => {
    const files = readdirSync(join(REPO_ROOT, 'build/payloads/debian')).filter((f) => f.endsWith('.livepatch'))
      .map((f) => join(REPO_ROOT, 'build/payloads/debian', f));
    const key = (f: { rule: string; symbol: string; message: string; payload?: string }): string =>
      `${f.payload} ${f.rule} ${f.symbol}: ${f.message}`;
    const set = lint(DEBIAN_IMAGE, files);
    expect(set.together).toBe(false);
    expect(set.findings.map(key)).toEqual(files.flatMap((f) => lint(DEBIAN_IMAGE, [f]).findings.map(key)));
    expect(lint(DEBIAN_IMAGE, files, { together: true }).summary.errors).toBeGreaterThan(set.summary.errors);
  });
});

describe('xlp lint --json', () => {
  it('prints a parseable report with the same findings', async () => {
    const r = await xlp('lint', '--json', short);
    expect(r.code).toBe(1);
    const data = JSON.parse(r.out.join('\n')) as {
      image: { path: string; buildId: string };
      findings: { rule: string; name: string; severity: string; symbol: string; payload?: string }[];
      expectations: { function: string; address: string; len: number; bytes: string }[];
      summary: { errors: number; warnings: number; notes: number };
    };
    expect(data.image.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(data.summary).toEqual({ errors: 1, warnings: 0, notes: 2 });
    expect(data.findings.find((f) => f.rule === 'XLP003')).toMatchObject({
      name: 'too-short', severity: 'error', symbol: 'short_fn', payload: short,
    });
    expect(data.expectations).toEqual([{
      payload: short, function: 'short_fn', address: `0x${fx.image.functionNamed('short_fn')!.address.toString(16)}`,
      len: 4, bytes: '8d4701c3',
    }]);
  });
});

describe('xlp lint --write-expectations', () => {
  it("prints a C initialiser whose bytes are the image's first bytes of the function", async () => {
    const r = await xlp('lint', '--write-expectations', short);
    const text = r.out.join('\n');
    expect(text).toContain('.expect = {\n    .enabled = 1,\n    .len = 4,\n');
    const data = /\.data = \{ ([^}]*) \}/.exec(text)![1]!.split(', ').map((b) => Number.parseInt(b, 16));
    const fn = fx.image.functionNamed('short_fn')!;
    expect(data).toEqual([...fx.image.read(fn.address, data.length)!]);
  });

  it('compiled into the payload, it makes the expectation check pass (round trip)', async () => {
    const r = await xlp('lint', '--write-expectations', clean);
    const withExpect = fx.payload('clean_expect', {
      sources: ['lint_clean.c'], defines: { LINT_EXPECT: '' }, extra: { 'lint_expect.inc': `${r.out.join('\n')}\n` },
    });
    const after = await xlp('lint', '--json', withExpect);
    const data = JSON.parse(after.out.join('\n')) as { findings: { rule: string }[] };
    expect(data.findings.map((f) => f.rule)).toEqual(['XLP008']);
    expect(after.code).toBe(0);
  });
});

function hexBytes(name: string, n: number): string {
  const image = LintImage.load(BUILTIN_IMAGE);
  return Array.from(image.read(image.functionNamed(name)!.address, n)!, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

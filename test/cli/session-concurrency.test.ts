// Separate `xlp` processes on one state directory (issue 9): mutating commands take turns under the lock, readers
// see whole states only, and a command killed at any moment leaves the state before or after it, never broken.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { xlp } from '../helpers/cli.ts';
import { prng } from '../helpers/random.ts';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** bin/xlp as a user runs it; `killAfterMs` sends SIGKILL that long after the start. */
function run(args: string[], killAfterMs?: number): Promise<Run> {
  return new Promise((done, fail) => {
    const p = spawn(join(REPO_ROOT, 'bin/xlp'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('error', fail);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, out, err });
    });
  });
}

/** Twelve builtin payloads that can all be loaded together (distinct names, build-ids and new symbols). */
const TWELVE = [
  'xen_action_hooks', 'xen_bye_world', 'xen_expectations', 'xen_nop', 'xen_replace_world', 'xlp_bug', 'xlp_endbr',
  'xlp_fault_fixup', 'xlp_order_jmp', 'xlp_order_nop', 'xlp_static_ref', 'xlp_warn',
];

describe('concurrent xlp commands on one state directory', () => {
  it('12 parallel uploads are all kept; lists running meanwhile always print a whole list; boot racing apply is clean', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xlp-conc-'));
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    const uploads = TWELVE.map((n) => run(['upload', n, payloadPath('builtin', n), '--state', d]));
    const lists = Array.from({ length: 4 }, () => run(['list', '--state', d]));
    for (const [i, r] of (await Promise.all(uploads)).entries()) {
      expect(r, TWELVE[i]).toEqual({ code: 0, signal: null, out: `Uploading ${payloadPath('builtin', TWELVE[i]!)}... completed\n`, err: '' });
    }
    for (const r of await Promise.all(lists)) {
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      const rows = r.out.split('\n').filter(Boolean);
      expect(rows[0] === 'Nothing to list' || rows.length === 2 + rows.filter((l) => / \| CHECKED /.test(l)).length).toBe(true);
    }
    const listed = (await xlp('list', '--state', d)).out.slice(2).map((l) => l.split(' ')[0]);
    expect(listed.sort()).toEqual([...TWELVE].sort());

    // boot racing apply: either order is fine, but each command runs whole (no ENOTEMPTY, no raw error).
    const [boot, apply] = await Promise.all([run(['boot', '--state', d]), run(['apply', 'xen_nop', '--state', d])]);
    expect(boot.code).toBe(0);
    expect([
      'Applying xen_nop... completed\n', // before the boot
      '', // after it: no such payload
    ]).toContain(apply.out);
    if (apply.out === '') expect(apply.err).toMatch(/^Failed to get status of xen_nop.\nError 2: No such file or directory\n/);
    expect((await xlp('list', '--state', d)).out).toEqual(['Nothing to list']);
  }, 180_000);
});

type Model = [string, 'CHECKED' | 'APPLIED'][];
const rows = (out: string[]): Model => (out[0] === 'Nothing to list' ? [] : out.slice(2).map((l) => {
  const [name, state] = l.split('|').map((c) => c.trim());
  return [name!, state!.split(' ')[0] as 'CHECKED' | 'APPLIED'];
}));

describe('a command killed at a random moment', () => {
  it('leaves the state before or after it, never a broken one (50 kills)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xlp-kill-'));
    const next = prng(9); // seeded: the same kills on every run, whatever the clock says
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const PAYLOADS = ['xen_nop', 'xlp_warn', 'xlp_endbr'];
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    let model: Model = [];
    const reverted = new Set<string>();
    let kept = 0;
    for (let i = 0; i < 50; i++) {
      // A command that is valid in the current state, and the state it leads to.
      const absent = PAYLOADS.filter((p) => !model.some(([n]) => n === p));
      const checked = model.filter(([, s]) => s === 'CHECKED').map(([n]) => n);
      const top = model.filter(([, s]) => s === 'APPLIED').at(-1)?.[0];
      const choices: [string[], () => Model][] = [
        [['call', 'plain_answer'], () => model],
        [['boot'], () => []],
        [['reset'], () => []],
      ];
      for (const p of absent) choices.push([['upload', p, payloadPath('builtin', p)], () => [...model, [p, 'CHECKED']]]);
      for (const p of checked) {
        choices.push([['unload', p], () => model.filter(([n]) => n !== p)]);
        if (!reverted.has(p)) choices.push([['apply', p], () => model.map(([n, s]) => [n, n === p ? 'APPLIED' : s])]);
      }
      if (top) choices.push([['revert', top], () => model.map(([n, s]) => [n, n === top ? 'CHECKED' : s])]);
      const [argv, after] = pick(choices);
      const r = await run([...argv, '--state', d], Math.floor(next() * 900));
      const seen = await xlp('list', '--state', d); // the next command
      expect(seen.code, `${argv.join(' ')} ${JSON.stringify(seen.err)}`).toBe(0);
      const now = rows(seen.out);
      const want = after();
      expect([JSON.stringify(model), JSON.stringify(want)], `after ${argv.join(' ')} (${r.signal ?? r.code})`).toContain(JSON.stringify(now));
      if (JSON.stringify(now) !== JSON.stringify(model)) {
        if (argv[0] === 'revert') reverted.add(argv[1]!);
        if (argv[0] === 'boot' || argv[0] === 'reset') reverted.clear();
        if (argv[0] === 'unload') reverted.delete(argv[1]!);
      }
      if (r.signal === null) kept++;
      model = now;
      // Every few runs, a command that rebuilds the whole host (guest memory and loader state) from the file.
      if (i % 5 === 4) expect((await xlp('call', 'plain_answer', '--state', d)).out).toEqual(['0x2a (42)']);
    }
    expect(kept).toBeLessThan(50); // most commands were killed somewhere
  }, 300_000);
});


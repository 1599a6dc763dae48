// The xen-livepatch verbs (spec §6) against both images: same text, same exit codes, state kept between
// separate commands in a state directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../loader/image/index.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { xlp } from '../helpers/cli.ts';
import { ORIGINAL_EXTRA, TARGETS } from '../helpers/host.ts';

const HEADER = [' ID                                     | status     | metadata', '----------------------------------------+------------+---------------'];

describe.each(TARGETS)('xen-livepatch verbs on %s', (target) => {
  it('list/upload/apply/revert/replace/unload/load with xen-livepatch 4.17 texts and exit codes', async () => {
    // --quiet: only xen-livepatch's own lines (explain.test.ts checks the `xlp:` lines).
    const st = ['--state', mkdtempSync(join(tmpdir(), 'xlp-state-')), '--quiet'];
    const p = (n: string): string => payloadPath(target, n);
    expect((await xlp('boot', '--image', target, ...st)).out[0]).toMatch(/^booted .* \(build-id [0-9a-f]{40}\)/);
    expect(await xlp('list', ...st)).toEqual({ code: 0, out: ['Nothing to list'], err: [] });
    expect(await xlp('revert', 'xen_hello_world', ...st)).toEqual({
      code: 1, out: [], err: ['Failed to get status of xen_hello_world.', 'Error 2: No such file or directory'],
    });
    expect(await xlp('load', p('xen_hello_world'), ...st)).toEqual({
      code: 0, out: [`Uploading ${p('xen_hello_world')}... completed`, 'Applying xen_hello_world... completed'], err: [],
    });
    expect((await xlp('call', 'xen_extra_version', '--string', ...st)).out).toEqual(['"Hello World"']);
    expect(await xlp('list', ...st)).toEqual({ code: 0, out: [...HEADER, 'xen_hello_world                         | APPLIED    | LIVEPATCH_RULEZ'], err: [] });
    expect(await xlp('apply', 'xen_hello_world', ...st)).toEqual({ code: 0, out: ['No action needed.'], err: [] });
    expect(await xlp('upload', 'xen_hello_world', p('xen_hello_world'), ...st)).toEqual({
      code: 1, out: [`Uploading ${p('xen_hello_world')}... failed`], err: ['Error 17: File exists'],
    });
    expect(await xlp('unload', 'xen_hello_world', ...st)).toEqual({
      code: 1, out: [], err: ['xen_hello_world is in the wrong state.', 'Current state: APPLIED', 'Expected state: CHECKED'],
    });
    expect((await xlp('load', p('xen_bye_world'), ...st)).code).toBe(0);
    // Verb prefixes: 4.17's tool takes any prefix (`re` = revert, `l` = list); 4.19's takes exact names only.
    const exactOnly = target === 'debian-4.20';
    const prefixed = async (short: string, verb: string, ...rest: string[]): ReturnType<typeof xlp> => {
      if (!exactOnly) return xlp(short, ...rest);
      expect(await xlp(short, ...rest)).toEqual({ code: 1, out: [], err: [`Unrecognised command '${short}' -- try 'xen-livepatch help'`] });
      return xlp(verb, ...rest);
    };
    // Not the top of the stack: -EBUSY, which xen-livepatch reports with exit code 2 (retryable).
    expect(await prefixed('re', 'revert', 'xen_hello_world', ...st)).toEqual({
      code: 2, out: ['Reverting xen_hello_world... failed'], err: ['Error 16: Device or resource busy'],
    });
    expect((await xlp('upload', 'xen_replace_world', p('xen_replace_world'), ...st)).code).toBe(0);
    expect(await xlp('replace', 'xen_replace_world', ...st)).toEqual({
      code: 0, out: ['Replacing all live patches with xen_replace_world... completed'], err: [],
    });
    expect((await prefixed('l', 'list', ...st)).out.slice(2)).toEqual([
      'xen_hello_world                         | CHECKED    | LIVEPATCH_RULEZ',
      'xen_bye_world                           | CHECKED    | ',
      'xen_replace_world                       | APPLIED    | ',
    ]);
    // hello is not re-appliable after its revert: the hypercall succeeds, the payload's rc says -EINVAL.
    expect(await xlp('apply', 'xen_hello_world', ...st)).toEqual({
      code: 1, out: ['Applying xen_hello_world... failed'], err: ['Error 22: Invalid argument'],
    });
    expect((await xlp('list', ...st)).out[2]).toBe('xen_hello_world                         | CHECKED (22, Invalid argument)    | LIVEPATCH_RULEZ');
    expect(await xlp('revert', 'xen_replace_world', ...st)).toEqual({ code: 0, out: ['Reverting xen_replace_world... completed'], err: [] });
    expect(await xlp('revert', 'xen_replace_world', ...st)).toEqual({ code: 0, out: ['No action needed.'], err: [] });
    expect(await xlp('unload', 'xen_replace_world', ...st)).toEqual({ code: 0, out: ['Unloading xen_replace_world... completed'], err: [] });
    expect((await xlp('call', 'xen_extra_version', '--string', ...st)).out).toEqual([JSON.stringify(ORIGINAL_EXTRA[target])]);
    // A failed load unloads again: bye depends on hello, which is not applied.
    expect(await xlp('unload', 'xen_bye_world', ...st)).toMatchObject({ code: 0 });
    expect(await xlp('load', p('xen_bye_world'), ...st)).toEqual({
      code: 1,
      out: [`Uploading ${p('xen_bye_world')}... completed`, 'Applying xen_bye_world... failed', 'Unloading xen_bye_world... completed'],
      err: ['Error 22: Invalid argument'],
    });
    expect(await xlp('upload', 'x', '/nonexistent.livepatch', ...st)).toEqual({
      code: 1, out: [], err: ['Could not open /nonexistent.livepatch.', 'Error 2: No such file or directory'],
    });
    // get_name(): the tool refuses over 128 characters; 128 pass to the hypervisor, whose 128-byte limit includes the NUL.
    expect((await xlp('apply', 'y'.repeat(129), ...st)).err).toEqual(['ID must be no more than 128 characters.']);
    expect(await xlp('apply', 'y'.repeat(128), ...st)).toEqual({
      code: 1, out: [], err: [`Failed to get status of ${'y'.repeat(128)}.`, 'Error 22: Invalid argument'],
    });
  });
});

describe('the persistent host', () => {
  it('keeps working after a call that faulted (the fault is not kept)', async () => {
    const st = ['--state', mkdtempSync(join(tmpdir(), 'xlp-state-'))];
    expect((await xlp('boot', ...st)).code).toBe(0);
    const bug = await xlp('call', 'selftest_bug', ...st);
    expect(bug.code).toBe(1);
    expect(bug.out).toContainEqual(expect.stringMatching(/^guest fault: #UD \(vector 6\) at selftest_bug\+0x[0-9a-f]+ \[0x[0-9a-f]+\]: Xen BUG at common\/selftest\.c:151$/));
    expect(await xlp('list', ...st)).toEqual({ code: 0, out: ['Nothing to list'], err: [] });
    expect((await xlp('call', 'xen_minor_version', ...st)).out).toEqual(['0x11 (17)']);
  });
});

describe('a shell script written for xen-livepatch', () => {
  it('runs end to end with xlp in its place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xlp-script-'));
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    execFileSync('ln', ['-s', join(REPO_ROOT, 'bin/xlp'), join(bin, 'xen-livepatch')]);
    const script = join(dir, 'patch.sh');
    writeFileSync(
      script,
      `#!/bin/sh
# A deployment script as written for xen-livepatch: load, check, roll back on error.
set -u
P=${join(REPO_ROOT, 'build/payloads/builtin')}
xen-livepatch load $P/xen_hello_world.livepatch || exit 10
xen-livepatch load $P/xen_bye_world.livepatch || exit 11
xen-livepatch list | grep -q 'xen_bye_world *| APPLIED' || exit 12
xen-livepatch revert xen_hello_world
rc=$?
[ $rc -eq 2 ] || { echo "expected EBUSY exit 2, got $rc"; exit 13; }
for p in xen_bye_world xen_hello_world; do
  xen-livepatch revert $p || exit 14
  xen-livepatch unload $p || exit 15
done
xen-livepatch list
`,
    );
    const out = execFileSync('sh', [script], {
      cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, XLP_STATE: join(dir, 'state') }, encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual([
      `Uploading ${join(REPO_ROOT, 'build/payloads/builtin')}/xen_hello_world.livepatch... completed`,
      'Applying xen_hello_world... completed',
      `Uploading ${join(REPO_ROOT, 'build/payloads/builtin')}/xen_bye_world.livepatch... completed`,
      'Applying xen_bye_world... completed',
      'Reverting xen_hello_world... failed',
      'Reverting xen_bye_world... completed',
      'Unloading xen_bye_world... completed',
      'Reverting xen_hello_world... completed',
      'Unloading xen_hello_world... completed',
      'Nothing to list',
    ]);
  }, 120_000);
});

describe('xen-livepatch --force (4.19+)', () => {
  it('is a flag on a 4.20 host and an unknown command on a 4.17 one', async () => {
    const on = async (image: string): Promise<string[]> => {
      const st = ['--state', mkdtempSync(join(tmpdir(), 'xlp-state-'))];
      expect((await xlp('boot', '--image', image, ...st)).code).toBe(0);
      return st;
    };
    const st20 = await on('debian-4.20');
    const p20 = payloadPath('debian-4.20', 'xen_hello_world');
    expect(await xlp('--force', 'upload', 'hello', p20, ...st20)).toEqual({ code: 0, out: [`Uploading ${p20}... completed`], err: [] });
    expect((await xlp('--force', 'list', ...st20)).out.at(-1)).toBe('hello                                   | CHECKED    | LIVEPATCH_RULEZ');
    const st17 = await on('debian');
    const r = await xlp('--force', 'upload', 'hello', payloadPath('debian', 'xen_hello_world'), ...st17);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe("Unrecognised command '--force' -- try 'xen-livepatch help'");
    expect(r.err[1]).toMatch(/^xlp: --force is xen-livepatch 4\.19's; the host runs Xen 4\.17\.7$/);
    expect(await xlp('list', ...st17)).toEqual({ code: 0, out: ['Nothing to list'], err: [] });
  });
});

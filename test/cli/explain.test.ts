// The `xlp:` line after each refusal (issue 10's table) and xen-livepatch 4.17.7's usage texts. Build-ids come
// from the files themselves through binutils, not from xlp.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_IMAGE } from '../../loader/image/index.ts';
import { strerror } from '../../loader/livepatch/errno.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { type ToolContext, actionFunc, loadName } from '../../cli/xen-livepatch/tool.ts';
import type { Session } from '../../cli/session/session.ts';
import { xlp } from '../helpers/cli.ts';
import { XEN_SYMS } from '../elf/tools.ts';

/** The 20-byte id at the end of a note section, as objcopy extracts it. */
function noteId(file: string, section: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'xlp-note-')), 'note');
  execFileSync('objcopy', ['-O', 'binary', `--only-section=${section}`, file, out]);
  return readFileSync(out).subarray(-20).toString('hex');
}

const p = (n: string): string => payloadPath('builtin', n);

describe('xlp: explains each refusal after the xen-livepatch lines', () => {
  it('names the build-ids, the stack and the check that failed', async () => {
    const st = ['--state', mkdtempSync(join(tmpdir(), 'xlp-state-'))];
    await xlp('boot', ...st);
    const deb = payloadPath('debian', 'xen_hello_world');
    const wrongXen = await xlp('load', deb, ...st);
    expect(wrongXen.err[0]).toBe('Error 22: Invalid argument');
    expect(wrongXen.err[1]).toContain(
      `xlp: ${deb}: .livepatch.xen_depends ${noteId(XEN_SYMS, '.note.gnu.build-id')} does not match the hypervisor build-id ${noteId(BUILTIN_IMAGE, '.note.gnu.build-id')}`,
    );
    expect(wrongXen.err).toHaveLength(2);

    expect((await xlp('upload', 'pw', '/etc/passwd', ...st)).err).toEqual(['Error 22: Invalid argument', 'xlp: /etc/passwd: not an ELF payload (bad magic)']);

    await xlp('load', p('xen_hello_world'), ...st);
    const twice = await xlp('upload', 'again', p('xen_hello_world'), ...st);
    expect(twice.err).toEqual(['Error 17: File exists', expect.stringContaining(`build-id ${noteId(p('xen_hello_world'), '.note.gnu.build-id')} is already loaded (by xen_hello_world)`)]);

    await xlp('load', p('xen_bye_world'), ...st);
    const nop = await xlp('load', p('xen_nop'), ...st);
    expect(nop.err[1]).toBe(
      `xlp: xen_nop depends on ${noteId(p('xen_nop'), '.livepatch.depends')} but the top applied payload xen_bye_world is ` +
        `${noteId(p('xen_bye_world'), '.note.gnu.build-id')}; applied stack, bottom to top: xen_hello_world, xen_bye_world`,
    );

    const under = await xlp('revert', 'xen_hello_world', ...st);
    expect(under.err).toEqual([
      'Error 16: Device or resource busy',
      'xlp: xen_hello_world is not the top of the applied stack (xen_bye_world is); applied stack, bottom to top: xen_hello_world, xen_bye_world',
    ]);
    expect((await xlp('revert', 'xen_hello_world', '--quiet', ...st)).err).toEqual(['Error 16: Device or resource busy']);

    expect((await xlp('apply', 'xen_helo_world', ...st)).err.at(-1)).toBe(
      'xlp: no payload named "xen_helo_world"; loaded: xen_hello_world (APPLIED), xen_bye_world (APPLIED) (did you mean \'xen_hello_world\'?)',
    );
    expect((await xlp('unload', 'xen_bye_world', ...st)).err.at(-1)).toBe('xlp: xen_bye_world is applied: revert it before unloading');
  });

  it('says when there is no booted host, and how to boot one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xlp-state-'));
    expect(await xlp('list', '--state', dir)).toEqual({
      code: 0, out: ['Nothing to list'],
      err: [`xlp: no booted host in ${dir}: booting the builtin image ($XLP_IMAGE or builtin; choose with \`xlp boot --image builtin|debian|debian-4.20|PATH\`)`],
    });
  });
});

describe("xen-livepatch 4.17.7's own texts", () => {
  it('usage errors, unreadable files, flags', async () => {
    const st = ['--state', mkdtempSync(join(tmpdir(), 'xlp-state-')), '--quiet'];
    const none = await xlp();
    expect(none.code).toBe(0);
    expect(none.out.join('\n')).toContain('Usage: xlp');
    const typo = await xlp('lsit');
    expect(typo).toEqual({ code: 1, out: [], err: ["Unrecognised command 'lsit' -- try 'xen-livepatch help'", "xlp: did you mean 'list'? (xlp --help lists the verbs)"] });
    expect((await xlp('frobnicate', ...st)).err).toEqual(["Unrecognised command 'frobnicate' -- try 'xen-livepatch help'"]);
    const usage = await xlp('upload', 'x', ...st);
    expect(usage.code).toBe(1);
    expect(usage.err[0]).toBe('xen-livepatch: live patching tool');
    expect(usage.err).toContain(' <name> An unique name of payload. Up to 128 characters.');
    expect(await xlp('revert', 'x', '--nodeps', ...st)).toEqual({ code: 1, out: [], err: ['Unsupported flag: --nodeps.'] });
    const dir = mkdtempSync(join(tmpdir(), 'xlp-files-'));
    writeFileSync(join(dir, 'empty.livepatch'), '');
    mkdirSync(join(dir, 'sub.livepatch'));
    expect(await xlp('upload', 'e', join(dir, 'empty.livepatch'), ...st)).toEqual({
      code: 1, out: [], err: [`Could not map ${join(dir, 'empty.livepatch')}.`, 'Error 22: Invalid argument'],
    });
    expect(await xlp('upload', 'd', join(dir, 'sub.livepatch'), ...st)).toEqual({
      code: 1, out: [], err: [`Could not map ${join(dir, 'sub.livepatch')}.`, 'Error 19: No such device'],
    });
    expect((await xlp('upload', 'd', join(dir, 'sub.livepatch'), '--state', st[1]!)).err[2]).toMatch(/^xlp: .*sub\.livepatch is a directory/);
  });

  it('list pads names to 40 without truncating and shows empty metadata strings', async () => {
    const st = ['--state', mkdtempSync(join(tmpdir(), 'xlp-state-')), '--quiet'];
    // xen_hello_world with .modinfo "LIVE\0\0TCH_RULEZ\0" instead of "LIVEPATCH_RULEZ\0" (same size).
    const bytes = readFileSync(p('xen_hello_world'));
    const at = bytes.indexOf('LIVEPATCH_RULEZ\0');
    Buffer.from('LIVE\0\0TCH_RULEZ\0', 'latin1').copy(bytes, at);
    const file = join(mkdtempSync(join(tmpdir(), 'xlp-files-')), 'meta.livepatch');
    writeFileSync(file, bytes);
    const long = 'a_payload_name_longer_than_forty_characters_x';
    expect((await xlp('upload', long, file, ...st)).code).toBe(0);
    expect((await xlp('list', ...st)).out[2]).toBe(`${long}| CHECKED    | LIVE;;TCH_RULEZ`);
  });

  it("a state still wrong after a successful action: 'failed' and the three stderr lines", () => {
    // A host whose APPLY succeeds but leaves the payload CHECKED (what action_func re-reads after its sleep).
    const host = { get: () => ({ state: 'CHECKED', rc: 0 }), machine: { console: { lines: [] } } };
    const session = { host, action: () => undefined, idle: () => undefined } as unknown as Session;
    const out: string[] = [];
    const err: string[] = [];
    const t: ToolContext = { io: { out: (l) => out.push(l), err: (l) => err.push(l), quiet: true }, session: () => session };
    expect(actionFunc(t, 'apply', ['x'])).toBe(-1);
    expect(out).toEqual(['Applying x... failed']);
    expect(err).toEqual(['x is in the wrong state.', 'Current state: CHECKED', 'Expected state: APPLIED']);
  });

  it('load names a dot-file after everything before its last dot', () => {
    expect(loadName('/x/.hidden.livepatch')).toBe('.hidden');
    expect(loadName('/x/.livepatch')).toBe('');
    expect(loadName('dir.d/plain')).toBe('plain');
  });

  it("strerror is glibc's for every errno (checked by hand against glibc 2.36)", () => {
    expect(strerror(5)).toBe('Input/output error');
    expect(strerror(19)).toBe('No such device');
    expect(strerror(95)).toBe('Operation not supported');
    expect(strerror(41)).toBe('Unknown error 41');
  });
});

it('boot --image with a near-miss suggests the image', async () => {
  const r = await xlp('boot', '--image', 'debain', '--state', mkdtempSync(join(tmpdir(), 'xlp-state-')));
  expect(r).toEqual({ code: 1, out: [], err: ["xlp: no image debain: --image takes builtin, debian, debian-4.20 or the path of a Xen xen-syms (did you mean 'debian'?)"] });
});

// The state directory of the `xlp` verbs (issue 9): xlp touches only what it created, a host that died stays
// dead, nothing that depends on the wall clock is kept, damage is reported by file name with the way out.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Session, clearConsole, viewHost } from '../../cli/session/session.ts';
import { encodeState, readState } from '../../cli/session/state-file.ts';
import { bootImage } from '../../loader/boot.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { COMMAND_MODULES, buildProgram } from '../../cli/xlp.ts';
import { xlp } from '../helpers/cli.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'xlp-session-'));
const hello = payloadPath('builtin', 'xen_hello_world');
const HELLO_ROW = 'xen_hello_world                         | APPLIED    | LIVEPATCH_RULEZ';
/** Files and their contents, to show that nothing in a directory changed. */
const snapshotDir = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'latin1')]));

describe('ownership of the state directory', () => {
  const savedEnv = process.env.XLP_STATE;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.XLP_STATE;
    else process.env.XLP_STATE = savedEnv;
  });

  it('refuses a non-empty directory without its marker, for every verb, and touches nothing', async () => {
    const d = tmp();
    writeFileSync(join(d, 'notes.txt'), 'keep\n');
    for (const argv of [['list'], ['boot'], ['reset'], ['upload', 'x', hello], ['call', 'plain_answer'], ['info']]) {
      const r = await xlp(...argv, '--state', d);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toEqual([`xlp: ${d} is not an xlp state directory (no xlp-state file) and is not empty: xlp leaves it alone; give a new or empty directory`]);
      expect(snapshotDir(d)).toEqual({ 'notes.txt': 'keep\n' });
    }
  });

  it('refuses a file as the state directory, and an empty XLP_STATE (not taken as the current directory)', async () => {
    const d = tmp();
    const f = join(d, 'file');
    writeFileSync(f, 'mine\n');
    for (const argv of [['list'], ['boot'], ['reset']]) {
      expect(await xlp(...argv, '--state', f)).toEqual({
        code: 1, out: [], err: [`xlp: ${f} is not a directory: give a directory for the host's state (--state or XLP_STATE)`],
      });
    }
    expect(snapshotDir(d)).toEqual({ file: 'mine\n' });
    process.env.XLP_STATE = '';
    const cwd = readdirSync('.');
    for (const argv of [['list'], ['boot'], ['reset']]) {
      expect(await xlp(...argv)).toEqual({
        code: 1, out: [], err: ['xlp: XLP_STATE is set but empty: unset it (default ./.xlp) or give a directory'],
      });
    }
    expect(readdirSync('.')).toEqual(cwd);
  });

  it('reset removes only its own files, and the directory only when xlp created it', async () => {
    const parent = tmp();
    const made = join(parent, 'made');
    expect((await xlp('boot', '--state', made)).code).toBe(0);
    expect(readdirSync(made).sort()).toEqual(['host', 'xlp-state']);
    writeFileSync(join(made, 'notes.txt'), 'keep\n'); // a user's file, put there later
    expect(await xlp('reset', '--state', made)).toEqual({ code: 0, out: [`removed ${made}`], err: [] });
    expect(snapshotDir(made)).toEqual({ 'notes.txt': 'keep\n' });
    rmSync(join(made, 'notes.txt'));
    expect((await xlp('boot', '--state', made)).code).toBe(0); // empty again: adopted
    expect((await xlp('reset', '--state', made)).code).toBe(0);
    expect(readdirSync(made)).toEqual([]); // adopted, not created: the empty directory stays

    const fresh = join(parent, 'fresh');
    expect((await xlp('list', '--state', fresh)).out).toEqual(['Nothing to list']); // first command boots
    expect((await xlp('reset', '--state', fresh)).code).toBe(0);
    expect(readdirSync(parent)).toEqual(['made']);
    expect(await xlp('reset', '--state', fresh)).toEqual({ code: 0, out: ['nothing to reset'], err: [] });
  });
});

describe('what a command keeps', () => {
  it('a call that times out is not kept: the host keeps what was loaded', async () => {
    const st = ['--state', tmp()];
    expect((await xlp('boot', ...st)).code).toBe(0);
    expect((await xlp('load', hello, ...st)).code).toBe(0);
    const r = await xlp('call', 'idle_loop', '0xffffffffffffffff', ...st);
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toMatch(/^guest timeout: guest did not return within 5000 ms; stopped at /);
    expect((await xlp('list', ...st)).out[2]).toBe(HELLO_ROW);
    expect((await xlp('call', 'xen_extra_version', '--string', ...st)).out).toEqual(['"Hello World"']);
  }, 60_000);

  it('a call that faults leaves the saved host byte for byte as it was; a call that returns is kept', async () => {
    const d = tmp();
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    const before = readFileSync(join(d, 'host'));
    expect((await xlp('call', 'selftest_bug', '--state', d)).code).toBe(1);
    expect(readFileSync(join(d, 'host')).equals(before)).toBe(true);
    // selftest_tasklet_sum += data when the idle loop runs the tasklet (guest/common/selftest.c).
    expect((await xlp('call', 'selftest_schedule_tasklet', '40', '--state', d)).out).toEqual(['0x0 (0)']);
    expect((await xlp('call', 'idle_loop', '1', '--state', d)).out).toEqual(['selftest: tasklet ran data=40', '0x0 (0)']);
    const b = bootImage('builtin');
    const at = b.image.symbol('selftest_tasklet_sum');
    b.machine.close();
    // A second run schedules again (the first ran): the sum is 40 + 2 = 42, kept across commands.
    expect((await xlp('call', 'selftest_schedule_tasklet', '2', '--state', d)).out).toEqual(['0x0 (0)']);
    expect((await xlp('call', 'idle_loop', '1', '--state', d)).code).toBe(0);
    const s = Session.open(d, { write: false });
    try {
      expect(s.host.machine.readU64(at)).toBe(42n);
    } finally {
      s.close();
    }
  });

  it('a command that changes nothing does not rewrite the host file; one that changes something does', async () => {
    const d = tmp();
    const host = join(d, 'host');
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    expect((await xlp('call', 'plain_answer', '--state', d)).code).toBe(0);
    const file = statSync(host).ino; // a save writes a new file and renames it over the old one
    const bytes = readFileSync(host);
    expect((await xlp('call', 'plain_answer', '--state', d)).code).toBe(0); // the same bytes again
    expect((await xlp('apply', 'nosuch', '--state', d)).code).not.toBe(0); // refused: nothing changed
    expect(statSync(host).ino).toBe(file);
    expect(readFileSync(host).equals(bytes)).toBe(true);
    expect((await xlp('call', 'selftest_schedule_tasklet', '1', '--state', d)).code).toBe(0);
    expect(statSync(host).ino).not.toBe(file);
  });

  it('a refused upload leaves nothing in the state directory', async () => {
    const d = tmp();
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    const before = snapshotDir(d);
    const junk = join(tmp(), 'junk.livepatch');
    writeFileSync(junk, Buffer.alloc(1 << 20, 0x5a));
    const r = await xlp('upload', 'junk', junk, '--state', d);
    expect(r).toMatchObject({ code: 1, out: [`Uploading ${junk}... failed`] });
    expect(r.err[0]).toBe('Error 22: Invalid argument');
    expect(snapshotDir(d)).toEqual(before);
  });
});

describe('a dead host', () => {
  it('stays dead, naming the cause, until boot; the upload half of the fatal load is saved with it', async () => {
    const d = tmp();
    const st = ['--state', d];
    expect((await xlp('boot', ...st)).code).toBe(0);
    // Poison the tasklet list (guest/common/tasklet.c): the next idle loop faults in hypervisor context.
    const b = bootImage('builtin');
    const head = b.image.symbol('common/tasklet.c#tasklet_head');
    b.machine.close();
    expect((await xlp('call', 'memset', `0x${head.toString(16)}`, '0x41', '8', ...st)).code).toBe(0);
    const load = await xlp('load', hello, ...st);
    expect(load.code).toBe(1);
    expect(load.out[0]).toBe(`Uploading ${hello}... completed`);
    expect(load.err[0]).toMatch(/^xlp: #GP \(vector 13\) at do_tasklet\+0x[0-9a-f]+/);
    const dead = /^xlp: the hypervisor in \S+ is dead \(GuestFault: #GP \(vector 13\) at do_tasklet\+0x[0-9a-f]+ \[0x[0-9a-f]+\]: .*\): run `xlp boot` or `xlp reset` to start a new one$/;
    for (const argv of [['list'], ['call', 'plain_answer'], ['apply', 'xen_hello_world'], ['info']]) {
      const r = await xlp(...argv, ...st);
      expect(r.code, argv[0]).toBe(1);
      expect(r.err).toEqual([expect.stringMatching(dead)]);
    }
    const saved = readState(d, true)!;
    expect(saved.view.dead).toMatch(/^GuestFault: #GP/);
    expect((saved.host.record as { payloads: { prepared: { name: string } }[] }).payloads.map((p) => p.prepared.name)).toEqual(['xen_hello_world']);
    expect((await xlp('boot', ...st)).code).toBe(0);
    expect((await xlp('list', ...st)).out).toEqual(['Nothing to list']);
  });
});

describe('the console', () => {
  it('is kept across commands and can be emptied', async () => {
    const d = tmp();
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    expect((await xlp('load', hello, '--state', d)).code).toBe(0);
    expect((await xlp('call', 'selftest_printk', '--state', d)).code).toBe(0);
    const lines = viewHost(d)!.console;
    // hello's load hooks print (guest/payloads/xen_hello_world.c); the host logs the action's end.
    expect(lines).toContain('Hook executing.');
    expect(lines).toContain('livepatch: xen_hello_world finished APPLY with rc=0');
    expect(lines.indexOf('Hook executing.')).toBeLessThan(lines.indexOf('livepatch: xen_hello_world finished APPLY with rc=0'));
    expect(clearConsole(d)).toBe(true);
    expect(viewHost(d)!.console).toEqual([]);
    expect((await xlp('list', '--state', d)).out[2]).toBe(HELLO_ROW);
  });
});

describe('damaged state', () => {
  const ALL = [['list'], ['call', 'plain_answer'], ['apply', 'xen_hello_world']];
  async function damagedWith(write: (file: string, good: Buffer) => void, verbs = ALL): Promise<string[]> {
    const d = tmp();
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    expect((await xlp('load', hello, '--state', d)).code).toBe(0);
    const file = join(d, 'host');
    write(file, readFileSync(file));
    const errs: string[] = [];
    for (const argv of verbs) {
      const r = await xlp(...argv, '--state', d);
      expect(r.code).toBe(1);
      expect(r.err).toHaveLength(1);
      errs.push(r.err[0]!);
    }
    expect(await xlp('reset', '--state', d)).toEqual({ code: 0, out: [`removed ${d}`], err: [] });
    expect((await xlp('list', '--state', d)).out).toEqual(['Nothing to list']);
    return errs;
  }
  const msg = (file: string, why: string): string => `xlp: the saved host ${file}/host is damaged (${why}): run \`xlp reset\` (or \`xlp boot\`) to start a new host there`;

  it.each([
    ['empty file', (f: string) => writeFileSync(f, ''), 'empty file'],
    ['truncated', (f: string, g: Buffer) => writeFileSync(f, g.subarray(0, g.length - 100)), 'truncated or altered: checksum mismatch'],
    ['truncated in its preamble', (f: string, g: Buffer) => writeFileSync(f, g.subarray(0, 5)), 'truncated'],
    ['null', (f: string) => writeFileSync(f, 'null'), 'not an xlp host state'],
    ['a flipped byte', (f: string, g: Buffer) => writeFileSync(f, Buffer.from(g).fill(g[g.length - 1]! ^ 1, g.length - 1)), 'truncated or altered: checksum mismatch'],
  ])('%s: every command names the file and says `xlp reset`', async (_name, write, why) => {
    const errs = await damagedWith(write);
    for (const e of errs) expect(e).toMatch(new RegExp(`^xlp: the saved host \\S+/host is damaged \\(${why.replace(/[()]/g, '\\$&')}\\): run \`xlp reset\``));
  });

  it('a missing field, a record naming no payload: errors, not skipped', async () => {
    // `list` reads only the view; the verbs that run the guest read the host too.
    for (const [edit, why, verbs] of [
      [(s: { view: Record<string, unknown> }) => delete s.view.list, 'field list is missing or not an array', ALL],
      [(s: { host: { record: Record<string, unknown> } }) => (s.host.record.applied = ['nosuch']), 'recorded state names no payload nosuch', ALL.slice(1)],
      [(s: { host: { machine: Record<string, unknown> } }) => delete s.host.machine.frames, 'field frames is missing or not an array', ALL.slice(1)],
    ] as [(s: never) => void, string, string[][]][]) {
      let dir = '';
      const errs = await damagedWith((file) => {
        dir = file.replace(/\/host$/, '');
        const s = readState(dir, true)!;
        edit(s as never);
        writeFileSync(file, encodeState(s));
      }, verbs);
      expect(errs).toEqual(verbs.map(() => msg(dir, why)));
    }
  });

  it('a host that rebuilds other than saved is refused; a file from before the checksum (stateHash) still loads', async () => {
    let dir = '';
    const differs = await damagedWith((file) => {
      dir = file.replace(/\/host$/, '');
      const s = readState(dir, true)!;
      s.host.checksum = s.host.checksum === '00000000' ? '00000001' : '00000000';
      writeFileSync(file, encodeState(s));
    }, ALL.slice(1));
    expect(differs).toEqual(ALL.slice(1).map(() => `xlp: the host rebuilt from ${dir}/host differs from the one saved (did builtin change?): run \`xlp reset\``));
    const d = tmp();
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    expect((await xlp('load', hello, '--state', d)).code).toBe(0);
    const s = readState(d, true)!;
    const live = Session.open(d, { write: false });
    const hash = live.host.stateHash();
    live.close();
    delete s.host.checksum;
    writeFileSync(join(d, 'host'), encodeState({ ...s, host: { ...s.host, stateHash: hash } }));
    expect((await xlp('call', 'xen_extra_version', '--string', '--state', d)).out).toEqual(['"Hello World"']);
    writeFileSync(join(d, 'host'), encodeState({ ...s, host: { ...s.host, stateHash: hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) } }));
    expect((await xlp('call', 'xen_extra_version', '--string', '--state', d)).err).toEqual([`xlp: the host rebuilt from ${d}/host differs from the one saved (did builtin change?): run \`xlp reset\``]);
  });

  it('a directory given as the image is refused by name, for boot and for the image a first command boots', async () => {
    const d = tmp();
    const img = tmp();
    expect(await xlp('boot', '--image', img, '--state', d)).toEqual({
      code: 1, out: [], err: [`xlp: ${img} is not a file: --image takes builtin, debian, debian-4.20 or the path of a Xen xen-syms`],
    });
    expect(readdirSync(d)).toEqual([]);
    const saved = process.env.XLP_IMAGE;
    process.env.XLP_IMAGE = img;
    try {
      const r = await xlp('list', '--quiet', '--state', d);
      expect(r).toEqual({ code: 1, out: [], err: [`xlp: ${img} is a directory, not a Xen image (give the path of a xen-syms)`] });
      expect(readdirSync(d)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.XLP_IMAGE;
      else process.env.XLP_IMAGE = saved;
    }
  });

  it('a marker without a host is a directory to boot in', async () => {
    const d = tmp();
    expect((await xlp('boot', '--state', d)).code).toBe(0);
    expect((await xlp('load', hello, '--state', d)).code).toBe(0);
    rmSync(join(d, 'host'));
    expect((await xlp('list', '--state', d)).out).toEqual(['Nothing to list']);
    expect(readdirSync(d).sort()).toEqual(['host', 'xlp-state']);
  });
});

describe('start-up', () => {
  it('the verbs each command module registers are the ones xlp loads it for (a command loads only its own)', async () => {
    const all = await buildProgram({ out: () => undefined, err: () => undefined });
    expect(all.commands.map((c) => c.name())).toEqual(COMMAND_MODULES.flatMap((m) => m.verbs));
  });
});

// Verbs on a fresh image follow the booted host's image; trace --apply checks what `load` checks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { xlp } from '../helpers/cli.ts';

describe('defaults', () => {
  it("trace uses the booted host's image when --image is not given", async () => {
    const st = ['--state', mkdtempSync(join(tmpdir(), 'xlp-state-'))];
    expect((await xlp('boot', '--image', 'debian', ...st)).code).toBe(0);
    const r = await xlp('trace', 'xen_extra_version', '--string', '--max', '100', ...st);
    expect(r.out.at(-1)).toMatch(/^xen_extra_version\(\) returned 0x[0-9a-f]+ "\.7"$/); // Debian's 4.17.7
  });

  it('trace --apply refuses a payload whose dependency is not applied, as load does; --nodeps skips the check', async () => {
    const bye = payloadPath('builtin', 'xen_bye_world');
    const r = await xlp('trace', '--image', 'builtin', '--apply', bye, 'xen_extra_version', '--string');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^xlp: applying xen_bye_world \(.*\) failed with EINVAL: xen_bye_world depends on [0-9a-f]{40} but the hypervisor is [0-9a-f]{40} \(--nodeps skips the dependency check\)$/)]);
    const forced = await xlp('trace', '--image', 'builtin', '--nodeps', '--apply', bye, 'xen_extra_version', '--string');
    expect(forced.out.at(-1)).toMatch(/returned 0x[0-9a-f]+ "Bye World!"$/);
  });

  it('explore takes a payload path relative to the current directory', async () => {
    const r = await xlp('explore', 'nothere.livepatch');
    expect(r).toMatchObject({ code: 1, err: [`xlp explore: payload file nothere.livepatch not found in ${process.cwd()}`] });
  });
});

describe('xlp dmesg', () => {
  it("prints the host's console since boot, --clear empties it; without a host it says how to boot", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xlp-state-'));
    const st = ['--state', dir];
    expect(await xlp('dmesg', ...st)).toEqual({ code: 1, out: [], err: [`xlp: no booted host in ${dir} (xlp boot --image builtin|debian|debian-4.20|PATH)`] });
    await xlp('boot', ...st);
    await xlp('load', payloadPath('builtin', 'xen_hello_world'), ...st);
    // xen_hello_world's hooks print these (guest/payloads: Xen's test payload sources).
    const first = await xlp('dmesg', '--clear', ...st);
    expect(first.out).toEqual(expect.arrayContaining(['hi_func: Hi! (called 1 times)', 'livepatch: xen_hello_world finished APPLY with rc=0']));
    expect((await xlp('dmesg', ...st)).out).toEqual([]);
    await xlp('revert', 'xen_hello_world', ...st);
    expect((await xlp('dmesg', ...st)).out.at(-1)).toBe('livepatch: xen_hello_world finished REVERT with rc=0');
  });
});

// Issue 3's first xlp verbs: info and call on a fresh image, a guest fault as a report with exit code 1.
import { describe, expect, it } from 'vitest';
import { xlp } from '../helpers/cli.ts';

describe('xlp info / call --image', () => {
  it('prints the Debian image: build-id, load range, symbols, ex_table and bug-frame counts', async () => {
    const r = await xlp('info', '--image', 'debian');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'image:        /usr/lib/debug/boot/xen-syms-4.17-amd64',
      'xen version:  4.17.7 (asked of the image: xen_major/minor/extra_version)', // Debian's 4.17.7+13 (spec §9)
      'build-id:     151b373fd64b321593bf987fd923cd10dabadac4',
      'load range:   0xffff82d040200000-0xffff82d0405a7000',
      'text:         0xffff82d040200000-0xffff82d040360783',
      expect.stringMatching(/^symbols: {6}\d{4}$/),
      'ex_table:     267 entries (pre-table 1)',
      'bug frames:   1003 (run_fn 13, warn 26, bug 964, assert 0)',
    ]);
  });

  it('calls functions of both images, as numbers or strings', async () => {
    expect(await xlp('call', '--image', 'debian', 'xen_extra_version', '--string')).toEqual({ code: 0, out: ['".7"'], err: [] });
    expect(await xlp('call', '--image', 'builtin', 'xen_minor_version')).toEqual({ code: 0, out: ['0x11 (17)'], err: [] });
    expect((await xlp('call', '--image', 'builtin', 'alpha_call', '0x2')).out).toEqual(['0x6b (107)']);
    expect((await xlp('call', '--image', 'builtin', 'selftest_warn')).out).toEqual(['Xen WARN at common/selftest.c:144', '0x2a (42)']);
  });

  it('turns a guest fault into a report and exit code 1, and refuses bad arguments', async () => {
    const r = await xlp('call', '--image', 'debian', 'xen_build_id_check', '0xdead0000', '4', '5', '6');
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe('guest fault: #PF (vector 14) at xen_build_id_check+0x0 [0xffff82d040234b90]: no exception-table entry in debian');
    expect(r.out).toContain('  CR2 0xdead0008  error code 0x0');
    expect(r.out).toContain('    0xffff82d040234b90 xen_build_id_check+0x0');
    expect(await xlp('call', '--image', 'debian', 'no_such_symbol')).toEqual({ code: 1, out: ['xlp: no symbol no_such_symbol in debian'], err: [] });
    expect((await xlp('call', '--image', 'debian', 'xen_minor_version', 'zz')).code).toBe(1);
    expect((await xlp('info', '--image', '/nonexistent')).err).toEqual(['xlp: image /nonexistent not found at /nonexistent: give the path of a Xen xen-syms']);
  });
});

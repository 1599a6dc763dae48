// Spec §7: the canonical sequence of Xen's in-tree test payloads, against our image and Debian's real one.
import { describe, expect, it } from 'vitest';
import { ORIGINAL_EXTRA, TARGETS, errnoOf, extraVersion, load, newHost, payloadBytes } from '../helpers/host.ts';

describe.each(TARGETS)('canonical sequence on %s', (target) => {
  const original = ORIGINAL_EXTRA[target];

  it('runs steps 1-7 with every output and errno as Xen gives them', () => {
    const h = newHost(target);
    const con = h.machine.console;
    const state = (n: string): string => `${h.get(n).state}/${h.get(n).rc}`;
    try {
      // 1. nothing loaded
      expect(h.list()).toEqual([]);
      expect(errnoOf(() => h.action('xen_hello_world', 'REVERT'))).toBe('ENOENT');

      // 2. load hello; a second upload of the same name is refused
      load(h, target, 'xen_hello_world');
      expect(state('xen_hello_world')).toBe('APPLIED/0');
      expect(extraVersion(h)).toBe('Hello World');
      expect(h.list()).toEqual([{ name: 'xen_hello_world', state: 'APPLIED', rc: 0, metadata: ['LIVEPATCH_RULEZ'] }]);
      expect(errnoOf(() => h.upload('xen_hello_world', payloadBytes(target, 'xen_hello_world')))).toBe('EEXIST');
      expect(con.lines).toContain('livepatch: xen_hello_world finished APPLY with rc=0');

      // 3. revert; not re-appliable (it has a .bss counter); unload twice
      h.action('xen_hello_world', 'REVERT');
      expect(state('xen_hello_world')).toBe('APPLIED/-11'); // -EAGAIN until the idle loop ran the work
      h.idle();
      expect(state('xen_hello_world')).toBe('CHECKED/0');
      expect(extraVersion(h)).toBe(original);
      h.action('xen_hello_world', 'APPLY'); // the hypercall succeeds ...
      expect(state('xen_hello_world')).toBe('CHECKED/-22'); // ... but the payload's rc says no
      h.action('xen_hello_world', 'UNLOAD');
      expect(errnoOf(() => h.action('xen_hello_world', 'UNLOAD'))).toBe('ENOENT');
      expect(h.list()).toEqual([]);

      // 4. stack bye on hello; only the top may be reverted
      expect(errnoOf(() => load(h, target, 'xen_bye_world'))).toBe('EINVAL'); // depends on hello, which is not applied
      load(h, target, 'xen_hello_world');
      load(h, target, 'xen_bye_world');
      expect(extraVersion(h)).toBe('Bye World!');
      expect(errnoOf(() => h.action('xen_hello_world', 'REVERT'))).toBe('EBUSY');

      // 5. replace everything
      h.upload('xen_replace_world', payloadBytes(target, 'xen_replace_world'));
      h.action('xen_replace_world', 'REPLACE');
      h.idle();
      expect(extraVersion(h)).toBe('Hello Again World!');
      expect([state('xen_hello_world'), state('xen_bye_world'), state('xen_replace_world')]).toEqual(['CHECKED/0', 'CHECKED/0', 'APPLIED/0']);
      h.action('xen_hello_world', 'UNLOAD');
      h.action('xen_bye_world', 'UNLOAD');
      h.action('xen_replace_world', 'REVERT');
      h.idle();
      h.action('xen_replace_world', 'UNLOAD');
      expect(extraVersion(h)).toBe(original);

      // 6. expectations
      load(h, target, 'xen_expectations');
      expect(extraVersion(h)).toBe('Hello World');
      h.action('xen_expectations', 'REVERT');
      h.idle();
      h.action('xen_expectations', 'UNLOAD');
      h.upload('xen_expectations_fail', payloadBytes(target, 'xen_expectations_fail'));
      expect(errnoOf(() => h.action('xen_expectations_fail', 'APPLY'))).toBe('EINVAL');
      expect(state('xen_expectations_fail')).toBe('CHECKED/0');
      h.action('xen_expectations_fail', 'UNLOAD');

      // 7. the hook payloads, one at a time, each unloaded after
      for (const name of ['xen_action_hooks', 'xen_action_hooks_nofunc', 'xen_action_hooks_marker']) {
        load(h, target, name);
        expect(state(name)).toBe('APPLIED/0');
        h.action(name, 'REVERT');
        h.idle();
        expect(state(name)).toBe('CHECKED/0');
        h.action(name, 'UNLOAD');
      }
      expect(extraVersion(h)).toBe(original);
      expect(h.list()).toEqual([]);
    } finally {
      h.machine.close();
    }
  });
});

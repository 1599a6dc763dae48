// Spec §3.4/§3.8/§10.14: hooks are guest code run in the emulator with Xen's arguments and timeline.
import { format } from '@vitest/pretty-format';
import { describe, expect, it } from 'vitest';
import { HostDead } from '../../loader/livepatch/host.ts';
import { TARGETS, errnoOf, extraVersion, newHost, ORIGINAL_EXTRA, payloadBytes } from '../helpers/host.ts';

describe.each(TARGETS)('hook payloads on %s', (target) => {
  const withHost = (fn: (h: ReturnType<typeof newHost>) => void) => () => {
    const h = newHost(target);
    try {
      fn(h);
    } finally {
      h.machine.close();
    }
  };
  const up = (h: ReturnType<typeof newHost>, n: string): void => void h.upload(n, payloadBytes(target, n));
  /** Schedule the action and let the idle loop run it. */
  const act = (h: ReturnType<typeof newHost>, n: string, action: 'APPLY' | 'REVERT' | 'REPLACE'): void => {
    h.action(n, action);
    h.idle();
  };
  const uploadApplied = (h: ReturnType<typeof newHost>, n: string): void => {
    up(h, n);
    act(h, n, 'APPLY');
  };

  it('prepost_hooks: pre-revert vetoes once with -EPERM (rc stored), then all four counts check out', withHost((h) => {
    up(h, 'xen_prepost_hooks');
    h.action('xen_prepost_hooks', 'APPLY');
    h.idle();
    expect(h.get('xen_prepost_hooks')).toEqual({ state: 'APPLIED', rc: 0 });
    expect(extraVersion(h)).toBe('Hello World');
    expect(errnoOf(() => h.action('xen_prepost_hooks', 'REVERT'))).toBe('EPERM');
    expect(h.get('xen_prepost_hooks')).toEqual({ state: 'APPLIED', rc: -1 });
    h.action('xen_prepost_hooks', 'REVERT');
    h.idle(); // the post-revert hook BUG()s unless pre_apply 1, post_apply 1, pre_revert 2, post_revert 1
    expect(h.get('xen_prepost_hooks')).toEqual({ state: 'CHECKED', rc: 0 });
    expect(extraVersion(h)).toBe(ORIGINAL_EXTRA[target]);
  }));

  it('prepost_hooks_fail: pre-apply returns -EINVAL, nothing else runs, nothing is patched', withHost((h) => {
    up(h, 'xen_prepost_hooks_fail');
    const before = h.machine.read(h.image.symbol('xen_extra_version'), 12);
    expect(errnoOf(() => h.action('xen_prepost_hooks_fail', 'APPLY'))).toBe('EINVAL');
    expect(h.get('xen_prepost_hooks_fail')).toEqual({ state: 'CHECKED', rc: -22 });
    h.idle(); // no work was scheduled: the other hooks (which BUG) never run
    expect(h.machine.read(h.image.symbol('xen_extra_version'), 12)).toEqual(before);
  }));

  it('action_hooks: the apply/revert hooks replace the default action and mark fstate themselves', withHost((h) => {
    up(h, 'xen_action_hooks');
    const before = h.machine.read(h.image.symbol('xen_extra_version'), 12);
    h.action('xen_action_hooks', 'APPLY');
    h.idle();
    expect(h.get('xen_action_hooks')).toEqual({ state: 'APPLIED', rc: 0 });
    expect(h.payload('xen_action_hooks').struct.applied(0)).toBe(true);
    expect(h.machine.read(h.image.symbol('xen_extra_version'), 12)).toEqual(before); // not really patched
    h.action('xen_action_hooks', 'REVERT');
    h.idle();
    expect(h.get('xen_action_hooks')).toEqual({ state: 'CHECKED', rc: 0 });
  }));

  it('action_hooks_noapply: apply rc -EINVAL, stays CHECKED, post-apply still runs with rc', withHost((h) => {
    up(h, 'xen_action_hooks_noapply');
    h.action('xen_action_hooks_noapply', 'APPLY');
    h.machine.console.drain();
    h.idle();
    expect(h.get('xen_action_hooks_noapply')).toEqual({ state: 'CHECKED', rc: -22 });
    expect(h.machine.console.drain()).toContain('post_apply_hook: Hook starting (rc=-22).');
    expect(extraVersion(h)).toBe(ORIGINAL_EXTRA[target]);
  }));

  it('action_hooks_norevert: revert hook fails, post-revert calls revert_payload()+revert_payload_tail()', withHost((h) => {
    up(h, 'xen_action_hooks_norevert');
    h.action('xen_action_hooks_norevert', 'APPLY');
    h.idle();
    expect(extraVersion(h)).toBe('Hello World');
    h.action('xen_action_hooks_norevert', 'REVERT');
    h.idle();
    expect(h.get('xen_action_hooks_norevert')).toEqual({ state: 'CHECKED', rc: -22 });
    expect(extraVersion(h)).toBe(ORIGINAL_EXTRA[target]);
    expect(h.appliedStack).toHaveLength(0);
  }));

  // livepatch_do_action(): REVERT's rc is the revert action hook's; only rc 0 runs revert_payload_tail().
  it('xlp_revert_fails: a failing revert action hook leaves the payload APPLIED with its rc (-EIO)', withHost((h) => {
    uploadApplied(h, 'xlp_revert_fails');
    act(h, 'xlp_revert_fails', 'REVERT');
    expect(h.get('xlp_revert_fails')).toEqual({ state: 'APPLIED', rc: -5 });
    expect(h.appliedStack.map((p) => p.name)).toEqual(['xlp_revert_fails']);
    expect(extraVersion(h)).toBe('Hello World');
  }));

  // livepatch_do_action(), REPLACE: each applied payload is reverted (by its revert action hook when it has one);
  // the first that fails keeps its rc and stays APPLIED, and REPLACE stops there with -EINVAL.
  it('REPLACE over xlp_revert_fails: its revert hook fails, so nothing is replaced (-EINVAL)', withHost((h) => {
    uploadApplied(h, 'xlp_revert_fails');
    up(h, 'xen_replace_world');
    act(h, 'xen_replace_world', 'REPLACE');
    expect(h.get('xlp_revert_fails')).toEqual({ state: 'APPLIED', rc: -5 });
    expect(h.get('xen_replace_world')).toEqual({ state: 'CHECKED', rc: -22 });
    expect(h.appliedStack.map((p) => p.name)).toEqual(['xlp_revert_fails']);
    expect(extraVersion(h)).toBe('Hello World');
  }));

  // Spec §3 (livepatch_action, REPLACE): an *applied* payload with a pre/post hook vetoes it as well.
  it('REPLACE is refused while an applied payload has pre/post hooks (-EOPNOTSUPP), and nothing changes', withHost((h) => {
    uploadApplied(h, 'xen_action_hooks_norevert');
    up(h, 'xen_replace_world');
    expect(errnoOf(() => h.action('xen_replace_world', 'REPLACE'))).toBe('EOPNOTSUPP');
    expect(h.get('xen_action_hooks_norevert')).toEqual({ state: 'APPLIED', rc: 0 });
    expect(h.get('xen_replace_world')).toEqual({ state: 'CHECKED', rc: 0 });
    expect(extraVersion(h)).toBe('Hello World');
  }));

  it('REPLACE refuses payloads with vetoing hooks (-EOPNOTSUPP)', withHost((h) => {
    up(h, 'xen_prepost_hooks');
    expect(errnoOf(() => h.action('xen_prepost_hooks', 'REPLACE'))).toBe('EOPNOTSUPP');
    expect(h.get('xen_prepost_hooks')).toEqual({ state: 'CHECKED', rc: 0 });
  }));

  it('payloads sharing local names cannot be loaded together (-EEXIST on __func__.N)', withHost((h) => {
    up(h, 'xen_hello_world');
    expect(errnoOf(() => up(h, 'xen_prepost_hooks'))).toBe('EEXIST');
  }));

  it('a BUG() in hook code stops the host as it would crash Xen', withHost((h) => {
    up(h, 'xen_hello_world');
    h.action('xen_hello_world', 'APPLY');
    h.idle();
    // Make check_fnc's assertion fail: its counter of hi_func calls must be 1..2.
    const counter = h.payload('xen_hello_world').symbols.lookup('cnt')?.address;
    expect(counter).toBeDefined();
    h.machine.writeU32(counter!, 7);
    h.action('xen_hello_world', 'REVERT');
    expect(() => h.idle()).toThrow(/Xen BUG at payloads\/xen_hello_world.c:\d+/);
    expect(() => h.list()).toThrow(HostDead);
  }));
});

describe('a host in a failing assertion', () => {
  // vitest prints the objects of a failed toEqual with pretty-format: walking into a machine's native views and
  // koffi handles crashed the test worker (SIGSEGV) instead of showing the diff.
  it('prints as a summary, so a diff of payloads or hosts can be shown', () => {
    const h = newHost('builtin');
    try {
      h.upload('xen_hello_world', payloadBytes('builtin', 'xen_hello_world'));
      const text = format([h.payload('xen_hello_world')], { callToJSON: true });
      expect(text).toMatch(/"machine": "\[machine: \d+ KiB of RAM in use\]"/);
    } finally {
      h.machine.close();
    }
  });
});

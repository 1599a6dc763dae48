// Every (state, action) pair of spec §3.4, with Xen's result, and a failed action leaves the host exactly as
// it was (stateHash over guest RAM, page tables included, and the loader's own state).
import { describe, expect, it } from 'vitest';
import type { ActionName } from '../../loader/livepatch/abi.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { newHost, payloadBytes } from '../helpers/host.ts';

type Host = ReturnType<typeof newHost>;
const T = 'builtin' as const;

/** Setups reaching each state of `xen_bye_world` (P) on top of or beside `xen_hello_world` (H). */
const setups: Record<string, (h: Host) => void> = {
  'absent': () => undefined,
  'CHECKED': (h) => void h.upload('P', payloadBytes(T, 'xen_bye_world')),
  'CHECKED (depends unmet)': (h) => void h.upload('P', payloadBytes(T, 'xen_bye_world')),
  'APPLIED (top)': (h) => {
    h.upload('H', payloadBytes(T, 'xen_hello_world'));
    h.upload('P', payloadBytes(T, 'xen_bye_world'));
    h.actionAndWait('H', 'APPLY');
    h.actionAndWait('P', 'APPLY');
  },
  'APPLIED (not top)': (h) => {
    h.upload('P', payloadBytes(T, 'xen_replace_world'));
    h.upload('Q', payloadBytes(T, 'xlp_warn'));
    h.actionAndWait('P', 'APPLY');
    h.actionAndWait('Q', 'APPLY', { nodeps: true });
  },
  'CHECKED (reverted, not re-appliable)': (h) => {
    h.upload('P', payloadBytes(T, 'xen_hello_world'));
    h.actionAndWait('P', 'APPLY');
    h.actionAndWait('P', 'REVERT');
  },
  'pending (-EAGAIN)': (h) => {
    h.upload('P', payloadBytes(T, 'xen_replace_world'));
    h.action('P', 'APPLY');
  },
};

// [setup, action, expected: errno name | 'ok' (scheduled or done) | 'noop' (0, nothing changes), payload rc after]
const table: [string, ActionName, string, number | null][] = [
  ['absent', 'APPLY', 'ENOENT', null],
  ['absent', 'REVERT', 'ENOENT', null],
  ['absent', 'REPLACE', 'ENOENT', null],
  ['absent', 'UNLOAD', 'ENOENT', null],
  ['CHECKED', 'REVERT', 'noop', 0],
  ['CHECKED (depends unmet)', 'APPLY', 'EINVAL', 0],
  ['CHECKED (depends unmet)', 'REPLACE', 'EINVAL', 0],
  ['CHECKED', 'UNLOAD', 'ok', null],
  ['APPLIED (top)', 'APPLY', 'noop', 0],
  ['APPLIED (top)', 'REPLACE', 'noop', 0],
  ['APPLIED (top)', 'UNLOAD', 'EINVAL', 0],
  ['APPLIED (top)', 'REVERT', 'ok', -11],
  ['APPLIED (not top)', 'REVERT', 'EBUSY', 0],
  ['APPLIED (not top)', 'UNLOAD', 'EINVAL', 0],
  ['CHECKED (reverted, not re-appliable)', 'APPLY', 'noop', -22],
  ['CHECKED (reverted, not re-appliable)', 'UNLOAD', 'ok', null],
  ['pending (-EAGAIN)', 'APPLY', 'EBUSY', -11],
  ['pending (-EAGAIN)', 'REVERT', 'EBUSY', -11],
  ['pending (-EAGAIN)', 'UNLOAD', 'EBUSY', -11],
  ['pending (-EAGAIN)', 'REPLACE', 'EBUSY', -11],
];

describe('state x action matrix (builtin image)', () => {
  it.each(table)('%s + %s -> %s', (setup, action, expected, rcAfter) => {
    const h = newHost(T);
    try {
      setups[setup]!(h);
      const before = h.stateHash();
      const statusBefore = setup === 'absent' ? undefined : h.get('P');
      let result = 'ok';
      try {
        h.action('P', action);
      } catch (e) {
        if (!(e instanceof LivepatchError)) throw e;
        result = e.errnoName;
      }
      if (result === 'ok' && expected === 'noop') {
        result = h.stateHash() === before || (rcAfter !== statusBefore?.rc) ? 'noop' : 'changed';
      }
      expect(result).toBe(expected);
      if (expected !== 'ok' && expected !== 'noop') {
        expect(h.stateHash()).toBe(before); // a refused action changes nothing
        if (statusBefore) expect(h.get('P')).toEqual(statusBefore);
      }
      if (expected === 'noop' && rcAfter === statusBefore?.rc) expect(h.stateHash()).toBe(before);
      if (rcAfter !== null) expect(h.get('P').rc).toBe(rcAfter);
      if (rcAfter === null && expected === 'ok') expect(() => h.get('P')).toThrow(/ENOENT/);
    } finally {
      h.machine.close();
    }
  });

  it('rejects an unknown action number with -EOPNOTSUPP and bad names with -EINVAL', () => {
    const h = newHost(T);
    try {
      h.upload('P', payloadBytes(T, 'xen_replace_world'));
      const before = h.stateHash();
      expect(() => h.action('P', 9)).toThrow(/EOPNOTSUPP/);
      expect(() => h.action('x'.repeat(128), 'APPLY')).toThrow(/EINVAL/);
      expect(() => h.upload('x'.repeat(128), payloadBytes(T, 'xen_nop'))).toThrow(/EINVAL/);
      expect(h.get('P\0trailing bytes are ignored')).toEqual({ state: 'CHECKED', rc: 0 });
      expect(h.stateHash()).toBe(before);
    } finally {
      h.machine.close();
    }
  });

  it('leaves everything as it was after each failed upload of a real payload', () => {
    const h = newHost(T);
    try {
      h.upload('H', payloadBytes(T, 'xen_hello_world'));
      const before = h.stateHash();
      const regions = h.machine.regions.list().length;
      for (const [name, file] of [['H', 'xen_replace_world'], ['X', 'xen_hello_world'], ['Y', 'xen_prepost_hooks'], ['Z', 'xlp_reloc_overflow']] as const) {
        expect(() => h.upload(name, payloadBytes(T, file))).toThrow(LivepatchError);
        expect(h.stateHash()).toBe(before);
        expect(h.machine.regions.list()).toHaveLength(regions);
      }
      // truncated and corrupted copies
      const good = payloadBytes(T, 'xen_replace_world');
      for (const bad of [good.subarray(0, 40), good.subarray(0, good.length - 100), Buffer.concat([good.subarray(0, 16), Buffer.from([9, 9]), good.subarray(18)])]) {
        expect(() => h.upload('W', bad)).toThrow(LivepatchError);
        expect(h.stateHash()).toBe(before);
      }
    } finally {
      h.machine.close();
    }
  });
});

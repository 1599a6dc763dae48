// Spec §10 behaviours not covered elsewhere: the Xen build-id gate, final permissions, payload uniqueness by
// build-id, expectations against already-patched code, and the payload region's lifetime.
import { describe, expect, it } from 'vitest';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { errnoOf, extraVersion, newHost, payloadBytes } from '../helpers/host.ts';

describe('spec §10 behaviours', () => {
  it('(2) refuses a payload built for another hypervisor build (-EINVAL), both ways', () => {
    const b = newHost('builtin');
    const d = newHost('debian');
    try {
      expect(errnoOf(() => b.upload('x', payloadBytes('debian', 'xen_hello_world')))).toBe('EINVAL');
      expect(errnoOf(() => d.upload('x', payloadBytes('builtin', 'xen_hello_world')))).toBe('EINVAL');
    } finally {
      b.machine.close();
      d.machine.close();
    }
  });

  it('(3) maps text RX, rw RW+NX, ro RO+NX, and a write to payload text faults', () => {
    const h = newHost('builtin');
    try {
      const p = h.upload('xen_hello_world', payloadBytes('builtin', 'xen_hello_world')).prepared;
      const perms = (a: bigint): string => {
        const t = h.machine.translate(a)!;
        return `${t.writable ? 'w' : '-'}${t.executable ? 'x' : '-'}`;
      };
      expect(perms(p.text.address)).toBe('-x');
      expect(perms(p.rw.address)).toBe('w-');
      expect(perms(p.ro.address)).toBe('--');
      expect(h.machine.isMapped(p.base - 0x1000n)).toBe(false); // guard page
      const out = h.machine.scratch(8);
      // write_u64_unsafe() fixes a #PF up: writing payload text must fault.
      expect(BigInt.asIntN(32, h.image.call('write_u64_unsafe', [p.text.address, 1]))).toBe(-14n);
      expect(BigInt.asIntN(32, h.image.call('write_u64_unsafe', [p.rw.address, 1]))).toBe(0n);
      void out;
    } finally {
      h.machine.close();
    }
  });

  it('(8) refuses the same build-id under another name (-EEXIST)', () => {
    const h = newHost('debian');
    try {
      h.upload('one', payloadBytes('debian', 'xen_replace_world'));
      expect(errnoOf(() => h.upload('two', payloadBytes('debian', 'xen_replace_world')))).toBe('EEXIST');
    } finally {
      h.machine.close();
    }
  });

  it('(13) expectations see the current bytes: an already patched function fails -EINVAL', () => {
    const h = newHost('debian');
    try {
      h.upload('xen_replace_world', payloadBytes('debian', 'xen_replace_world'));
      h.actionAndWait('xen_replace_world', 'APPLY');
      h.upload('xen_expectations', payloadBytes('debian', 'xen_expectations'));
      const before = h.stateHash();
      expect(errnoOf(() => h.action('xen_expectations', 'APPLY', { nodeps: true }))).toBe('EINVAL');
      expect(h.stateHash()).toBe(before);
      h.actionAndWait('xen_replace_world', 'REVERT');
      expect(h.actionAndWait('xen_expectations', 'APPLY')).toEqual({ state: 'APPLIED', rc: 0 });
      expect(extraVersion(h)).toBe('Hello World');
    } finally {
      h.machine.close();
    }
  });

  it('(15) a payload region lives from upload to unload: after unload its text is gone', () => {
    const h = newHost('builtin');
    try {
      const p = h.upload('xlp_fault_fixup', payloadBytes('builtin', 'xlp_fault_fixup'));
      const fn = p.prepared.funcs[0]!.newAddr;
      expect(h.machine.symbolize(fn)).toBe('xlp_fault_fixup!xlp_fault_fixup_fn+0x0');
      const s = h.machine.readCString(h.machine.call(fn)); // callable before apply: its region already works
      expect(s).toBe('Fixed Up');
      h.action('xlp_fault_fixup', 'UNLOAD');
      expect(h.machine.isMapped(fn)).toBe(false);
      expect(() => h.machine.call(fn)).toThrow(GuestFault);
    } finally {
      h.machine.close();
    }
  });
});

describe('host snapshots', () => {
  it('restores machine and loader state exactly, including after unload and a dead host', () => {
    const h = newHost('builtin');
    try {
      h.upload('xen_hello_world', payloadBytes('builtin', 'xen_hello_world'));
      const s0 = h.snapshot();
      const hash0 = h.stateHash();
      h.actionAndWait('xen_hello_world', 'APPLY');
      expect(extraVersion(h)).toBe('Hello World');
      const s1 = h.snapshot();
      const hash1 = h.stateHash();
      h.actionAndWait('xen_hello_world', 'REVERT');
      h.action('xen_hello_world', 'UNLOAD');
      expect(h.list()).toEqual([]);
      h.restore(s1);
      expect(h.stateHash()).toBe(hash1);
      expect(extraVersion(h)).toBe('Hello World'); // the trampoline is back and taken
      h.restore(s0);
      expect(h.stateHash()).toBe(hash0);
      expect(extraVersion(h)).toBe('.7-xlp');
      expect(h.get('xen_hello_world')).toEqual({ state: 'CHECKED', rc: 0 });
      h.restore(s1);
      expect(h.machine.symbolize(h.payload('xen_hello_world').prepared.funcs[0]!.newAddr)).toMatch(/^xen_hello_world!/);
    } finally {
      h.machine.close();
    }
  });
});

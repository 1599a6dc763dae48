// Spec §4 and §10.9-11, 15: trampolines written for real and taken on the very next call; exact bytes for
// stacking, ENDBR64 and NOP patching; byte-identical text after every revert order; faults in payload code
// resolved through the payload's own region.
import { describe, expect, it } from 'vitest';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { TARGETS, errnoOf, extraVersion, newHost, MINOR_VERSION, ORIGINAL_EXTRA, payloadBytes, type Target } from '../helpers/host.ts';

type Host = ReturnType<typeof newHost>;
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const withHost = (target: Target, fn: (h: Host) => void) => () => {
  const h = newHost(target);
  try {
    fn(h);
  } finally {
    h.machine.close();
  }
};
function applied(h: Host, target: Target, name: string, nodeps = false): void {
  h.upload(name, payloadBytes(target, name));
  h.action(name, 'APPLY', { nodeps });
  h.idle();
  expect(h.get(name)).toEqual({ state: 'APPLIED', rc: 0 });
}
function revert(h: Host, name: string): void {
  h.action(name, 'REVERT');
  h.idle();
  expect(h.get(name)).toEqual({ state: 'CHECKED', rc: 0 });
}
/** E9 rel32 from `at` to `to`. */
function jmp(at: bigint, to: bigint): string {
  const b = Buffer.alloc(5);
  b[0] = 0xe9;
  b.writeInt32LE(Number(to - (at + 5n)), 1);
  return b.toString('hex');
}
const newAddr = (h: Host, name: string): bigint => h.payload(name).prepared.funcs[0]!.newAddr;

describe.each(TARGETS)('patching on %s', (target) => {
  it('writes E9 rel32 at old_addr, nests stacked payloads, and restores the exact bytes', withHost(target, (h) => {
    const old = h.image.symbol('xen_extra_version');
    const original = hexOf(h.machine.read(old, 16));
    applied(h, target, 'xen_hello_world');
    expect(hexOf(h.machine.read(old, 5))).toBe(jmp(old, newAddr(h, 'xen_hello_world')));
    expect(hexOf(h.machine.read(old + 5n, 11))).toBe(original.slice(10)); // only 5 bytes change
    const helloJump = hexOf(h.machine.read(old, 5));
    applied(h, target, 'xen_bye_world');
    expect(hexOf(h.machine.read(old, 5))).toBe(jmp(old, newAddr(h, 'xen_bye_world')));
    expect(hexOf(h.payload('xen_bye_world').struct.saved(0).saved.subarray(0, 5))).toBe(helloJump); // bye saved hello's jump
    revert(h, 'xen_bye_world');
    expect(hexOf(h.machine.read(old, 5))).toBe(helloJump);
    expect(extraVersion(h)).toBe('Hello World');
    revert(h, 'xen_hello_world');
    expect(hexOf(h.machine.read(old, 16))).toBe(original);
  }));

  it('leaves text byte-identical after REPLACE and after every LIFO revert order with NODEPS stacks', withHost(target, (h) => {
    const old = h.image.symbol('xen_extra_version');
    const text = (): string => hexOf(h.machine.read(h.image.text.start, Number(h.image.text.end - h.image.text.start)));
    const pristine = text();
    for (const n of ['xlp_fault_fixup', 'xlp_warn', 'xen_replace_world']) h.upload(n, payloadBytes(target, n));
    // Apply in one order with NODEPS, revert LIFO; then another order.
    for (const order of [['xlp_fault_fixup', 'xlp_warn'], ['xlp_warn', 'xlp_fault_fixup']]) {
      for (const n of order) {
        h.action(n, 'APPLY', { nodeps: true });
        h.idle();
      }
      expect(errnoOf(() => h.action(order[0]!, 'REVERT'))).toBe('EBUSY');
      for (const n of [...order].reverse()) revert(h, n);
      expect(text()).toBe(pristine);
    }
    h.action('xlp_fault_fixup', 'APPLY');
    h.idle();
    h.action('xlp_warn', 'APPLY', { nodeps: true });
    h.idle();
    h.action('xen_replace_world', 'REPLACE');
    h.idle();
    expect(hexOf(h.machine.read(old, 5))).toBe(jmp(old, newAddr(h, 'xen_replace_world')));
    revert(h, 'xen_replace_world');
    expect(text()).toBe(pristine);
  }));

  it('NOP-patches xen_minor_version with P6 NOPs and restores it (xen_nop)', withHost(target, (h) => {
    const at = h.image.symbol('xen_minor_version');
    const original = hexOf(h.machine.read(at, 10));
    const minor = MINOR_VERSION[target];
    expect(original.slice(0, 10)).toBe(`b8${minor.toString(16).padStart(2, '0')}000000`); // mov $minor,%eax
    applied(h, target, 'xen_nop');
    expect(hexOf(h.machine.read(at, 10))).toBe(`660f1f840000000000${original.slice(18)}`);
    revert(h, 'xen_nop');
    expect(hexOf(h.machine.read(at, 10))).toBe(original);
    expect(h.image.call('xen_minor_version')).toBe(BigInt(minor));
  }));

  it("fixes up a fault in payload code from the payload's own .ex_table", withHost(target, (h) => {
    applied(h, target, 'xlp_fault_fixup');
    expect(extraVersion(h)).toBe('Fixed Up');
    const fix = h.machine.fixups[0]!;
    expect(fix.vector).toBe(14);
    expect(h.machine.symbolize(fix.rip)).toMatch(/^xlp_fault_fixup!xlp_fault_fixup_fn\+0x/);
    expect(h.payload('xlp_fault_fixup').exceptionTable.search(fix.rip)).toBe(fix.resume);
    expect(h.image.exceptionTable.search(fix.rip)).toBeUndefined(); // the image's table knows nothing of it
  }));

  it('decodes payload bug frames: WARN continues, BUG stops with file:line', withHost(target, (h) => {
    applied(h, target, 'xlp_warn');
    h.machine.console.drain();
    expect(extraVersion(h)).toBe('Warned');
    const lines = h.machine.console.drain();
    expect(lines[0]).toMatch(/^Xen WARN at payloads\/xlp_warn_func.c:\d+$/);
    expect(lines[3]).toMatch(/^RIP: .* xlp_warn!xlp_warn_fn\+0x/); // the dump follows, at the payload's ud2
    revert(h, 'xlp_warn');
    applied(h, target, 'xlp_bug', true);
    let err: unknown;
    try {
      extraVersion(h);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GuestFault);
    expect((err as GuestFault).report.reason).toMatch(/^Xen BUG at payloads\/xlp_bug_func.c:\d+$/);
    expect((err as GuestFault).report.where).toMatch(/^xlp_bug!xlp_bug_fn\+0x/);
  }));

  it('refuses payloads built wrong: no xen_depends, overflowing PC32, duplicate new symbol', withHost(target, (h) => {
    const before = h.stateHash();
    expect(errnoOf(() => h.upload('a', payloadBytes(target, 'xen_no_xen_buildid')))).toBe('EINVAL');
    expect(errnoOf(() => h.upload('b', payloadBytes(target, 'xlp_reloc_overflow')))).toBe('EOVERFLOW');
    expect(errnoOf(() => h.upload('c', payloadBytes(target, 'xlp_dup_symbol')))).toBe('EEXIST');
    expect(h.stateHash()).toBe(before);
    expect(h.list()).toEqual([]);
  }));
});

describe('patching specifics of the builtin image', () => {
  it('puts the jump after ENDBR64 (+4) so indirect calls stay legal', withHost('builtin', (h) => {
    const at = h.image.symbol('selftest_endbr_fn');
    expect(hexOf(h.machine.read(at, 4))).toBe('f30f1efa');
    applied(h, 'builtin', 'xlp_endbr');
    expect(hexOf(h.machine.read(at, 9))).toBe(`f30f1efa${jmp(at + 4n, newAddr(h, 'xlp_endbr'))}`);
    expect(h.payload('xlp_endbr').struct.saved(0).patchOffset).toBe(4);
    expect(h.image.call('selftest_endbr_fn')).toBe(0x4321n);
    expect(h.image.call('selftest_call_indirect')).toBe(0x4322n);
    revert(h, 'xlp_endbr');
    expect(h.image.call('selftest_endbr_fn')).toBe(0x1234n);
  }));

  it('links a payload against a path#name static of the image', withHost('builtin', (h) => {
    applied(h, 'builtin', 'xlp_static_ref');
    expect(extraVersion(h)).toBe('helper(7)=22');
    revert(h, 'xlp_static_ref');
    expect(extraVersion(h)).toBe(ORIGINAL_EXTRA.builtin);
  }));
});

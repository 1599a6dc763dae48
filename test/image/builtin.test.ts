// Our own Xen-like image (guest/, built by the Makefile) loaded and run: every fault vector through its real
// .ex_table/.fixup, bug frames, console, Xen's symbol naming, and a reproducible build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { type BootedImage, bootImage } from '../../loader/boot.ts';
import { BUILTIN_IMAGE, REPO_ROOT } from '../../loader/image/index.ts';

let host: BootedImage;
const UNMAPPED = 0xffff82d0bff00000n;
beforeAll(() => {
  host = bootImage('builtin');
});
afterAll(() => host.machine.close());

const call = (name: string, args: (bigint | number)[] = []): bigint => host.image.call(name, args);
const str = (name: string): string => host.machine.readCString(call(name));
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

describe('builtin image', () => {
  it('has the version entry points of common/version.c', () => {
    expect(str('xen_extra_version')).toBe('.7-xlp');
    expect(call('xen_minor_version')).toBe(17n);
    expect(call('xen_major_version')).toBe(4n);
    expect(str('xen_deny')).toBe('<denied>');
  });

  it('returns its own build-id from xen_build_id(), equal to the ELF note', () => {
    const m = host.machine;
    const out = m.scratch(16);
    expect(call('xen_build_id', [out, out + 8n])).toBe(0n);
    const len = m.readU32(out + 8n);
    expect(m.read(m.readU64(out), len).toString('hex')).toBe(host.image.buildIdHex);
  });

  it("names statics path#name as Xen's symbol table does and symbolizes addresses", () => {
    const img = host.image;
    const a = img.symbol('common/alpha.c#helper');
    const b = img.symbol('common/beta.c#helper');
    expect(a).not.toBe(b);
    expect(img.symbols.lookup('helper')).toBeUndefined();
    expect(call('alpha_call', [1])).toBe(104n);
    expect(call('beta_call', [1])).toBe(203n);
    expect(host.machine.symbolize(b + 3n)).toBe('common/beta.c#helper+0x3');
    expect([...img.symbols.all()].some((s) => /^common\/selftest\.c#CSWTCH\.\d+$/.test(s.name))).toBe(true);
    expect(img.symbols.duplicates.size).toBe(0);
  });

  it('prints through its own printk to the console, line by line', () => {
    host.machine.console.drain();
    call('xen_print_banner');
    call('selftest_printk');
    const lines = host.machine.console.drain();
    expect(lines[0]).toBe('Xen version 4.17.7-xlp (gcc 12.2.0) debug=y');
    expect(lines[1]).toMatch(/^printk: str\|c\|-42\|17\|3000000000\|beef\|ffff82d040200000\|/);
  });

  it('fixes up each vector through .ex_table and .fixup', () => {
    expect(s64(call('selftest_pf_read', [UNMAPPED]))).toBe(-101n);
    expect(s64(call('selftest_pf_write', [host.image.symbol('xen_extra_version')]))).toBe(-102n); // text is read-only
    expect(s64(call('selftest_gp'))).toBe(-103n); // load from 0xdead000000000000
    expect(s64(call('selftest_de', [0]))).toBe(-104n);
    expect(call('selftest_de', [10])).toBe(100n);
    expect(s64(call('selftest_ud'))).toBe(-105n);
    expect(s64(call('selftest_bp'))).toBe(-106n);
    const out = host.machine.scratch(8);
    expect(BigInt.asIntN(32, call('read_u64_unsafe', [0xdead000000000000n, out]))).toBe(-14n); // int
    expect(host.machine.fixups.map((f) => f.vector)).toEqual([13]);
    expect(host.machine.symbolize(host.machine.fixups[0]!.rip)).toMatch(/^read_u64_unsafe\+0x/);
  });

  it('survives ten mixed faults in one call, one of them three calls deep', () => {
    expect(call('selftest_many_faults', [UNMAPPED])).toBe(10n);
    expect(host.machine.fixups).toHaveLength(10);
    expect(new Set(host.machine.fixups.map((f) => f.vector))).toEqual(new Set([0, 3, 6, 13, 14]));
    expect(host.machine.reg('RSP')).toBe(host.machine.stackTop);
  });

  it('handles WARN, BUG, ASSERT and run_in_exception_handler frames', () => {
    const m = host.machine;
    m.console.drain();
    expect(call('selftest_warn')).toBe(42n);
    const lines = m.console.drain();
    expect(lines[0]).toBe('Xen WARN at common/selftest.c:144');
    expect(lines[1]).toMatch(/^----\[ Xen-4\.17\.7-xlp {2}x86_64 {2}debug=y {2}Not tainted \]----$/);
    expect(lines[3]).toMatch(/ selftest_warn\+0x/);
    expect(call('selftest_assert', [5])).toBe(5n);
    expect(() => call('selftest_assert', [0])).toThrow(/Assertion 'x != 0' failed at common\/selftest.c:157/);
    let bug: unknown;
    try {
      call('selftest_bug');
    } catch (e) {
      bug = e;
    }
    expect(bug).toBeInstanceOf(GuestFault);
    expect((bug as GuestFault).report.reason).toBe('Xen BUG at common/selftest.c:151');
    expect((bug as GuestFault).report.where).toMatch(/^selftest_bug\+0x/);
    m.console.drain();
    expect(call('selftest_run_fn')).toBe(7n);
    expect(m.console.drain()).toContain('selftest: run_in_exception_handler fn called (regs ok)');
  });

  it('runs its idle loop, which checks for live-patch work each iteration', () => {
    const counter = host.image.symbol('livepatch_work_checks');
    const before = host.machine.readU64(counter);
    call('idle_loop', [3]);
    expect(host.machine.readU64(counter) - before).toBe(3n);
  });

  it('is built reproducibly: the same sources give the same build-id', () => {
    const out = mkdtempSync(join(tmpdir(), 'xlp-guest-'));
    execFileSync('make', ['-s', '-C', join(REPO_ROOT, 'guest'), `O=${out}`], { stdio: 'pipe' });
    expect(readFileSync(join(out, 'xen-syms')).equals(readFileSync(BUILTIN_IMAGE))).toBe(true);
  }, 120_000);
});

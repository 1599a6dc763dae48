// xlp lint on Debian's real xen-syms 4.17: the counts loader/lint/README.md quotes, and the Debian payloads.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_IMAGE, REPO_ROOT } from '../../loader/image/index.ts';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { LintImage, imageFigures, lint } from '../../loader/lint/index.ts';
import { load, newHost } from '../helpers/host.ts';

const payload = (name: string): string => join(REPO_ROOT, 'build/payloads/debian', `${name}.livepatch`);

describe("Debian's xen-syms-4.17-amd64", () => {
  it('has the counts README.md quotes (spec §8.18: 16 CSWTCH, 69 __func__; §9: 955 of 3615 ENDBR64)', () => {
    expect(imageFigures(LintImage.load(DEBIAN_IMAGE))).toEqual({
      textFunctions: 3615,
      endbrFunctions: 955,
      tooShort: 5,
      allFunctions: 4324,
      cswtch: 16,
      funcNames: 69,
      staticLocals: 228,
      clones: { isra: 35, constprop: 39, part: 37, cold: 13, total: 121, runtime: 104 },
      duplicates: 0,
      instructions: 340665,
      undecodable: 0,
    });
  });

  it('finds nothing wrong with xen_hello_world and suggests the expectation of spec §9', () => {
    const r = lint(DEBIAN_IMAGE, [payload('xen_hello_world')]);
    expect(r.summary.errors).toBe(0);
    expect(r.findings.map((f) => `${f.severity} ${f.rule} ${f.symbol}`)).toEqual([
      'warning XLP002 __func__.1', 'warning XLP002 __func__.0', 'note XLP012 xen_extra_version',
    ]);
    // 48 8d 05 18 ba 16 00 = lea 0x16ba18(%rip),%rax: the whole instruction covering the 5-byte jump.
    expect(Buffer.from(r.expectations[0]!.bytes).toString('hex')).toBe('488d0518ba1600');
  });

  it("warns (no error: Xen loads it) that xen_expectations' old_size 8 ends inside xen_extra_version's jmp", () => {
    // Xen 4.17.7 uses old_size only in arch_livepatch_verify_func (>= 5) and the expectation check (>= len):
    // the upload and APPLY succeed, as the canonical Debian scenario shows at run time.
    const fn = objdumpFunction('xen_extra_version');
    expect(fn.size).toBe(fn.insns.reduce((n, i) => n + i.length, 0));
    const cut = fn.insns.find((i) => i.offset < 8 && i.offset + i.length > 8)!; // 8 = EXPECT_BYTES_COUNT
    expect(cut.text).toMatch(/^jmp\s+[0-9a-f]+ <__x86_return_thunk>$/);
    const r = lint(DEBIAN_IMAGE, [payload('xen_expectations')]);
    expect(r.summary.errors).toBe(0);
    expect(r.findings.map((f) => `${f.severity} ${f.rule} ${f.symbol}: ${f.message}`)).toEqual([
      `warning XLP004 xen_extra_version: old_size is 8, the image's function is ${fn.size} bytes; it ends inside ` +
        `the ${cut.length}-byte \`jmp __x86_return_thunk\` at xen_extra_version+0x${cut.offset.toString(16)}`,
    ]);
  });

  it('reports a builtin-only payload by its unresolved function only (no size or address findings)', () => {
    const r = lint(DEBIAN_IMAGE, [join(REPO_ROOT, 'build/payloads/builtin/xlp_endbr.livepatch')]);
    expect(r.findings.map((f) => `${f.rule} ${f.symbol}`)).toEqual([
      'XLP010 -', 'XLP011 -', 'XLP013 selftest_endbr_fn',
    ]);
  });

  it("errs that xen_nop's NOP range ends inside xen_minor_version's jmp, which faults once applied", () => {
    // xen_nop NOPs new_size = size - 1 bytes (guest/payloads/xen_nop.c); objdump says where that ends.
    const fn = objdumpFunction('xen_minor_version');
    const end = fn.size - 1;
    const cut = fn.insns.find((i) => i.offset < end && i.offset + i.length > end)!;
    expect(cut.text).toMatch(/^jmp\s+[0-9a-f]+ <__x86_return_thunk>$/);
    const r = lint(DEBIAN_IMAGE, [payload('xen_nop')]);
    expect(r.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.symbol}: ${f.message}`)).toEqual([
      `XLP014 xen_minor_version: the ${end} NOP bytes at xen_minor_version end inside the ${cut.length}-byte ` +
        `\`jmp __x86_return_thunk\` at xen_minor_version+0x${cut.offset.toString(16)}`,
    ]);
    // And it is right: what the NOPs leave of the jmp runs as garbage.
    const h = newHost('debian');
    try {
      load(h, 'debian', 'xen_nop');
      let fault: unknown;
      try {
        h.image.call('xen_minor_version');
      } catch (e) {
        fault = e;
      }
      expect(fault).toBeInstanceOf(GuestFault);
      expect((fault as GuestFault).vector).toBe(14);
    } finally {
      h.machine.close();
    }
  });
});

interface ObjdumpInsn {
  offset: number;
  length: number;
  text: string;
}

/** A function of Debian's image as nm and objdump see it: its size and its instructions. */
function objdumpFunction(name: string): { size: number; insns: ObjdumpInsn[] } {
  const nm = execFileSync('nm', ['-S', DEBIAN_IMAGE], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = new RegExp(`^([0-9a-f]+) ([0-9a-f]+) T ${name}$`, 'm').exec(nm)!;
  const start = BigInt(`0x${m[1]}`);
  const size = Number.parseInt(m[2]!, 16);
  const out = execFileSync('objdump', ['-d', '-w', `--start-address=0x${start.toString(16)}`,
    `--stop-address=0x${(start + BigInt(size)).toString(16)}`, DEBIAN_IMAGE], { encoding: 'utf8' });
  const insns: ObjdumpInsn[] = [];
  for (const line of out.split('\n')) {
    const l = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t(.*)$/.exec(line);
    if (!l) continue;
    insns.push({ offset: Number(BigInt(`0x${l[1]}`) - start), length: l[2]!.trim().split(' ').length, text: l[3]!.trim() });
  }
  return { size, insns };
}

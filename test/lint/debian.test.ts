// xlp lint on Debian's real xen-syms 4.17: the counts loader/lint/README.md quotes, and the Debian payloads.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_IMAGE, REPO_ROOT } from '../../loader/image/index.ts';
import { LintImage, imageFigures, lint } from '../../loader/lint/index.ts';

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

  it("flags xen_expectations' old_size 8 (the function is 12 bytes) but accepts its expectation", () => {
    const r = lint(DEBIAN_IMAGE, [payload('xen_expectations')]);
    expect(r.findings.map((f) => `${f.rule} ${f.symbol}: ${f.message}`)).toEqual([
      "XLP004 xen_extra_version: old_size is 8, the image's function is 12 bytes",
    ]);
  });

  it('reports a builtin-only payload by its unresolved function only (no size or address findings)', () => {
    const r = lint(DEBIAN_IMAGE, [join(REPO_ROOT, 'build/payloads/builtin/xlp_endbr.livepatch')]);
    expect(r.findings.map((f) => `${f.rule} ${f.symbol}`)).toEqual([
      'XLP010 -', 'XLP011 -', 'XLP013 selftest_endbr_fn',
    ]);
  });

  it('checks that xen_nop NOPs 9 of the 10 bytes of xen_minor_version, inside the function', () => {
    const r = lint(DEBIAN_IMAGE, [payload('xen_nop')]);
    expect(r.summary.errors).toBe(0);
    expect(r.expectations.map((e) => [e.function, e.len])).toEqual([['xen_minor_version', 10]]);
  });
});

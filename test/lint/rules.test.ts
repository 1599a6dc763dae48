// Every lint rule, triggered by a payload or image built with gcc (guest/lint-fixtures/, test/lint/fixtures.ts)
// or by one of the guest's payloads, and not triggered by a counterpart that differs only in what the rule checks.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_IMAGE, REPO_ROOT } from '../../loader/image/index.ts';
import { RULES, lint, type Finding, type LintReport, type RuleId } from '../../loader/lint/index.ts';
import { FixtureBuilder, type PayloadSpec } from './fixtures.ts';

const BUILT = join(REPO_ROOT, 'build/payloads');
const builtin = (name: string): string => join(BUILT, 'builtin', `${name}.livepatch`);
const debian = (name: string): string => join(BUILT, 'debian', `${name}.livepatch`);

const SPECS: Record<string, PayloadSpec> = {
  short: { sources: ['lint_short_fn.c'] },
  mid: { sources: ['lint_mid_target.c'] },
  midBoth: { sources: ['lint_mid_target.c'], defines: { LINT_BOTH: '' } },
  ipa: { sources: ['lint_ipa.c'] },
  mix: { sources: ['lint_mix.c'] },
  cold: { sources: ['lint_cold.c'] },
  oldSize: { sources: ['lint_cold.c'], defines: { LINT_OLD_SIZE: '9' } },
  ref: { sources: ['lint_cswtch_ref.c'] },
  refMissing: { sources: ['lint_cswtch_ref.c'], defines: { LINT_REF: '"common/selftest.c#CSWTCH.1015"' } },
  refBeyond: { sources: ['lint_cswtch_ref.c'], defines: { LINT_REF_OFFSET: '40' } },
  copy: { sources: ['lint_cswtch_copy.c'], file: 'common/selftest.c' },
  locals: { sources: ['lint_locals.c'] },
  mangled: { sources: ['lint_locals.c'], defines: { LINT_MANGLED: '' } },
  clean: { sources: ['lint_clean.c'] },
  comment: { sources: ['lint_clean.c', 'fake_comment.S'] },
};

let fx: FixtureBuilder;
const p: Record<string, string> = {};
let compiler: string;

beforeAll(() => {
  fx = new FixtureBuilder();
  for (const [name, spec] of Object.entries(SPECS)) p[name] = fx.payload(name, spec);
  compiler = gccComment(p.clean!);
});
afterAll(() => fx.dispose());

/** The compiler string gcc put into a payload's .comment (the one this machine's gcc writes). */
function gccComment(path: string): string {
  const bytes = Buffer.from(fx.read(path));
  const m = /GCC: \([^)]*\) [0-9.]+/.exec(bytes.toString('latin1'));
  if (!m) throw new Error(`no GCC .comment in ${path}`);
  return m[0];
}

/** The payloads as one set loaded together (what most rules below are about). */
const run = (payloads: string[], image = BUILTIN_IMAGE): LintReport => lint(image, payloads, { together: true });
const of = (r: LintReport, rule: RuleId): Finding[] => r.findings.filter((f) => f.rule === rule);
const one = (r: LintReport, rule: RuleId): Finding => {
  const fs = of(r, rule);
  expect(fs, `${rule} findings: ${JSON.stringify(r.findings.map((f) => `${f.rule} ${f.symbol}: ${f.message}`))}`).toHaveLength(1);
  return fs[0]!;
};

describe('XLP000 upload-refused', () => {
  it("reports the first structural check of Xen's that fails, with its errno", () => {
    const f = one(run([builtin('xlp_reloc_overflow')]), 'XLP000');
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(/^Xen refuses the upload: -EOVERFLOW: .*R_X86_64_PC32 to "xlp_far_away"/);
  });
  it('is silent for a well-formed payload', () => {
    expect(of(run([p.clean!]), 'XLP000')).toEqual([]);
  });
});

describe('XLP001 unstable-local-ref', () => {
  it('warns when a payload binds to the image CSWTCH table by name', () => {
    const f = one(run([p.ref!]), 'XLP001');
    expect([f.severity, f.symbol]).toEqual(['warning', 'common/selftest.c#CSWTCH.15']);
  });
  it('is an error when the image has no local by that name, and lists those it has', () => {
    const f = one(run([p.refMissing!]), 'XLP001');
    expect([f.severity, f.symbol]).toEqual(['error', 'common/selftest.c#CSWTCH.1015']);
    expect(f.details).toEqual(['image has: common/selftest.c#CSWTCH.15 (32 bytes)']);
  });
  it("is an error when the payload reaches past the image's object", () => {
    const f = one(run([p.refBeyond!]), 'XLP001');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('uses byte 40 of it, but the image\'s common/selftest.c#CSWTCH.15 is 32 bytes');
  });
  it("is an error when the payload's own copy from the same file has other contents", () => {
    const f = one(run([p.copy!]), 'XLP001');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('the payload\'s own CSWTCH.15 from common/selftest.c differs');
  });
  it('is silent for a payload that references no numbered local', () => {
    expect(of(run([p.clean!, p.short!]), 'XLP001')).toEqual([]);
  });
});

describe('XLP002 symbol-collision', () => {
  it('warns about an exported __func__.N', () => {
    const f = one(run([p.locals!]), 'XLP002');
    expect([f.severity, f.symbol]).toEqual(['warning', '__func__.0']);
  });
  it("is an error for a mangled local that the image already has (-EEXIST)", () => {
    const f = of(run([p.mangled!]), 'XLP002').find((x) => x.severity === 'error')!;
    expect(f.symbol).toBe('common/selftest.c#CSWTCH.15');
    expect(f.message).toContain('already in the image');
  });
  it('is an error when two payloads given export the same local (spec §2.8: hello + prepost_hooks)', () => {
    const r = run([builtin('xen_hello_world'), builtin('xen_prepost_hooks')]);
    const errors = of(r, 'XLP002').filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.symbol).sort()).toContain('__func__.1');
    expect(errors.every((f) => f.payload === builtin('xen_prepost_hooks'))).toBe(true);
  });
  it('is silent for a payload whose exports are all unique', () => {
    expect(of(run([p.clean!]), 'XLP002')).toEqual([]);
  });
});

describe('XLP003 too-short', () => {
  it('is an error for short_fn (4 bytes)', () => {
    const f = one(run([p.short!]), 'XLP003');
    expect(f.severity).toBe('error');
    expect(`${f.symbol}: ${f.message}`).toBe('short_fn: function is 4 bytes, shorter than the 5-byte trampoline');
    expect(f.details).toEqual(['code: 8d 47 01 c3']);
  });
  it('is silent for functions that hold the jump (mid_target; ENDBR64 selftest_endbr_fn >= 9)', () => {
    expect(of(run([p.mid!, builtin('xlp_endbr')]), 'XLP003')).toEqual([]);
  });
  it('needs 9 bytes after ENDBR64: an 8-byte ENDBR64 function is an error, a 19-byte one is not', () => {
    const image = fx.endbrImage();
    const endbr = new FixtureBuilder(image);
    try {
      const short = endbr.payload('endbr_short', { sources: ['lint_endbr.c'] });
      const long = endbr.payload('endbr_long', { sources: ['lint_endbr.c'], defines: { LINT_LONG: '' } });
      const f = one(run([short], image), 'XLP003');
      expect(`${f.symbol}: ${f.message}`).toBe('endbr_short: function is 8 bytes, shorter than the 9-byte trampoline (5 after ENDBR64)');
      expect(of(run([long], image), 'XLP003')).toEqual([]);
    } finally {
      endbr.dispose();
    }
  });
});

describe('XLP004 old-size', () => {
  it("is a warning naming the instruction it cuts when old_size is not the image function's size", () => {
    // objdump -d of selftest_cold: 85 ff (test) | 0f 88 rel32 (js) | 8d 47 01 (lea) at +8 | e9 rel32 (jmp): 16 bytes.
    const f = one(run([p.oldSize!]), 'XLP004');
    expect(f.severity).toBe('warning');
    expect(`${f.symbol}: ${f.message}`).toBe(
      "selftest_cold: old_size is 9, the image's function is 16 bytes; it ends inside the 3-byte `8d 47 01` at selftest_cold+0x8",
    );
    expect(f.hint).toBe('set old_size to 16 (0x10)');
  });
  it('is silent when old_size matches', () => {
    expect(of(run([p.cold!]), 'XLP004')).toEqual([]);
  });
});

describe('XLP005 duplicate-symbol', () => {
  it('lists names an image defines twice (two dup.c objects), with the image alone', () => {
    const r = run([], fx.duplicateImage());
    const f = one(r, 'XLP005');
    expect([f.severity, f.symbol, f.payload]).toEqual(['error', 'dup.c#helper', undefined]);
    expect(f.details).toHaveLength(2);
  });
  it('finds nothing in the builtin image (alpha.c#helper and beta.c#helper are told apart)', () => {
    expect(run([]).findings).toEqual([]);
  });
});

describe('XLP006 ipa-clone', () => {
  it('warns that the clone of selftest_mix keeps its callers on old code', () => {
    const f = one(run([p.mix!]), 'XLP006');
    expect([f.severity, f.symbol]).toEqual(['warning', 'common/selftest.c#selftest_mix']);
    expect(f.details).toEqual(['common/selftest.c#selftest_mix.constprop.0 (12 bytes): reached from selftest_ipa, selftest_ipa+0xa']);
  });
  it('notes a .cold part that only the patched function reaches', () => {
    const f = one(run([p.cold!]), 'XLP006');
    expect([f.severity, f.symbol]).toEqual(['note', 'selftest_cold']);
    expect(f.details[0]).toMatch(/selftest_cold\.cold \(\d+ bytes\): reached from selftest_cold\+0x[0-9a-f]+ \(patched\)/);
  });
  it('is silent for a function without clones', () => {
    expect(of(run([p.short!, p.clean!]), 'XLP006')).toEqual([]);
  });
});

describe('XLP007 ipa-ra', () => {
  it("notes that selftest_ipa keeps %rdi across its call to the patched clone", () => {
    const f = one(run([p.ipa!]), 'XLP007');
    expect([f.severity, f.symbol]).toEqual(['note', 'common/selftest.c#selftest_mix.constprop.0']);
    expect(f.message).toMatch(/^selftest_ipa keeps values in call-clobbered registers/);
    expect(f.details[0]).toBe('selftest_ipa+0x5 reads %rdi after the call at selftest_ipa (83 c7 01)');
  });
  it('is silent when the caller only uses the return value (alpha_call -> helper)', () => {
    expect(of(run([p.clean!]), 'XLP007')).toEqual([]);
  });
});

describe('XLP008 compiler-mismatch', () => {
  it('warns when the payload .comment names another compiler than the image', () => {
    const f = one(run([p.comment!], fx.imageWithComment(compiler)), 'XLP008');
    expect(f.severity).toBe('warning');
    expect(f.message).toBe(`built by GCC: (xlp lint fixture) 99.1.0; the image was built by ${compiler}`);
  });
  it('is silent when both were built by the same gcc', () => {
    expect(of(run([p.clean!], fx.imageWithComment(compiler)), 'XLP008')).toEqual([]);
  });
  it('notes that the builtin image (no .comment) cannot be compared', () => {
    const f = one(run([p.clean!]), 'XLP008');
    expect([f.severity, f.payload]).toEqual(['note', undefined]);
  });
});

describe('XLP009 branch-into-patch', () => {
  it("is an error for mid_target: mid_jumper jumps to mid_target+2", () => {
    const f = one(run([p.mid!]), 'XLP009');
    expect(f.message).toBe('1 branch from mid_jumper lands inside the 5 bytes patched at mid_target');
    expect(f.details).toEqual([`mid_jumper+0x2: jmp to mid_target+0x2 (0x${(fx.image.functionNamed('mid_target')!.address + 2n).toString(16)})`]);
  });
  it('is silent when mid_jumper is patched too', () => {
    expect(of(run([p.midBoth!]), 'XLP009')).toEqual([]);
  });
});

describe('XLP010 xen-depends / XLP011 depends', () => {
  it("is an error for a payload built for Debian's Xen, showing both build-ids", () => {
    const r = run([debian('xen_hello_world')]);
    const f = one(r, 'XLP010');
    expect(f.details).toEqual([
      'xen_depends:      151b373fd64b321593bf987fd923cd10dabadac4',
      `image build-id:   ${r.image.buildId}`,
    ]);
    expect(one(r, 'XLP011').severity).toBe('error');
  });
  it('reports a missing .livepatch.xen_depends', () => {
    expect(one(run([builtin('xen_no_xen_buildid')]), 'XLP010').message).toContain('.livepatch.xen_depends is missing');
  });
  it("is an error for xen_bye_world alone (it depends on xen_hello_world's build-id)", () => {
    const f = one(run([builtin('xen_bye_world')]), 'XLP011');
    expect(f.details[0]).toMatch(/^depends: {10}[0-9a-f]{40}$/);
  });
  it('is silent when the payload it depends on is given, and for payloads built for this image', () => {
    const r = run([builtin('xen_hello_world'), builtin('xen_bye_world'), p.clean!]);
    expect([...of(r, 'XLP010'), ...of(r, 'XLP011')]).toEqual([]);
  });
});

describe('XLP012 expectation', () => {
  it("is an error when an enabled expectation does not match the image's bytes", () => {
    const f = one(run([builtin('xen_expectations_fail')]), 'XLP012');
    expect(f.severity).toBe('error');
    expect(f.details[0]).toBe('payload expects: de ad c0 de ba be');
  });
  it('notes the bytes to expect, taken from the image, when there is none', () => {
    const r = run([p.short!]);
    expect(one(r, 'XLP012').message).toBe('no expectation; from the image: .len = 4, .data = { 8d 47 01 c3 }');
    expect(r.expectations.map((e) => [e.function, e.len, Buffer.from(e.bytes).toString('hex')])).toEqual([['short_fn', 4, '8d4701c3']]);
  });
  it('is silent for a matching enabled expectation', () => {
    expect(of(run([builtin('xen_expectations')]), 'XLP012')).toEqual([]);
  });
});

describe('XLP013 unresolved', () => {
  it('is an error for a plain name the image only has as statics, and for a function to patch that is absent', () => {
    const fs = of(run([p.mix!]), 'XLP013');
    expect(fs.map((f) => f.symbol)).toEqual(['helper', 'common/selftest.c#selftest_mix']);
    expect(fs[0]!.details).toEqual(['image has: common/alpha.c#helper', 'image has: common/beta.c#helper']);
  });
  it('is silent when every name resolves', () => {
    expect(of(run([p.clean!, builtin('xlp_static_ref')]), 'XLP013')).toEqual([]);
  });
});

describe('rule catalogue', () => {
  it('has every rule in loader/lint/README.md with its name and severities', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(join(REPO_ROOT, 'loader/lint/README.md'), 'utf8');
    for (const [id, r] of Object.entries(RULES)) {
      expect(readme).toMatch(new RegExp(`\\| ${id} \\| \`${r.name}\` \\| ${r.severities.join('/')} \\|`));
    }
  });
});

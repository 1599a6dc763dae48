// xlp lint on Debian's real xen-syms 4.17: the counts loader/lint/README.md quotes, and the Debian payloads.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_IMAGE, REPO_ROOT } from '../../loader/image/index.ts';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { type ImageFigures, LintImage, imageFigures, lint } from '../../loader/lint/index.ts';
import { load, newHost } from '../helpers/host.ts';

const payload = (name: string): string => join(REPO_ROOT, 'build/payloads/debian', `${name}.livepatch`);

describe("Debian's xen-syms-4.17-amd64", () => {
  it('has the counts README.md quotes, as readelf counts them (spec §8.18: 16 CSWTCH, 69 __func__; §9: 955 of 3615 ENDBR64)', () => {
    const figures = imageFigures(LintImage.load(DEBIAN_IMAGE));
    const fromReadelf = readelfFigures(DEBIAN_IMAGE);
    expect(figures).toMatchObject(fromReadelf);
    expect(fromReadelf).toMatchObject({ textFunctions: 3615, endbrFunctions: 955, cswtch: 16, funcNames: 69 });
    // Debian builds with CONFIG_ENFORCE_UNIQUE_SYMBOLS: a duplicate name would have failed its link. The
    // instruction count is objdump's (test/lint/decode.test.ts checks every decoded instruction against it).
    expect(figures.duplicates).toBe(0);
    expect(figures.undecodable).toBe(0);
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

/**
 * The image figures counted from readelf's symbol and section tables and the file's bytes, not from lint:
 * sized FUNC symbols by section, ENDBR64 (f3 0f 1e fa) at their first bytes, gcc's numbered locals and clone
 * suffixes by name (loader/lint/names.ts documents the classification).
 */
function readelfFigures(path: string): Omit<ImageFigures, 'duplicates' | 'instructions' | 'undecodable'> {
  const file = readFileSync(path);
  const sections = new Map<number, { name: string; addr: bigint; offset: number; exec: boolean }>();
  for (const l of execFileSync('readelf', ['-SW', path], { encoding: 'utf8' }).split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+(\S*)/.exec(l);
    if (m) sections.set(Number(m[1]), { name: m[2]!, addr: BigInt(`0x${m[3]}`), offset: Number.parseInt(m[4]!, 16), exec: m[5]!.includes('X') });
  }
  const syms = execFileSync('readelf', ['-sW', path], { encoding: 'utf8', maxBuffer: 1 << 27 }).split('\n').flatMap((l) => {
    const f = l.trim().split(/\s+/);
    if (f.length < 8 || !/^\d+:$/.test(f[0]!)) return [];
    return [{ value: BigInt(`0x${f[1]}`), size: Number(f[2]), type: f[3]!, bind: f[4]!, ndx: Number(f[6]), name: f[7]! }];
  });
  const funcs = syms.filter((s) => s.type === 'FUNC' && s.size > 0);
  const text = [...sections.entries()].find(([, s]) => s.name === '.text')!;
  let endbr = 0;
  let tooShort = 0;
  const inText = funcs.filter((f) => f.ndx === text[0]);
  for (const f of inText) {
    const at = text[1].offset + Number(f.value - text[1].addr);
    const e = file.subarray(at, at + 4).equals(Buffer.from([0xf3, 0x0f, 0x1e, 0xfa]));
    if (e) endbr++;
    if (f.size < 5 + (e ? 4 : 0)) tooShort++;
  }
  const numbered = syms.filter((s) => s.bind === 'LOCAL' && s.type === 'OBJECT' && /^[A-Za-z_$][\w$]*\.\d+$/.test(s.name));
  const base = (s: { name: string }): string => s.name.replace(/\.\d+$/, '');
  const fn = ['__func__', '__FUNCTION__', '__PRETTY_FUNCTION__'];
  const clones = { isra: 0, constprop: 0, part: 0, cold: 0, total: 0, runtime: 0 };
  for (const f of funcs) {
    const words = f.name.split('.').slice(1);
    if (!words.length || !words.every((w) => /^\d+$/.test(w) || ['isra', 'constprop', 'part', 'cold', 'clone', 'lto_priv', 'specialized'].includes(w))) continue;
    if (words.every((w) => /^\d+$/.test(w))) continue;
    clones.total++;
    const sec = sections.get(f.ndx)!;
    if (sec.exec && !sec.name.startsWith('.init')) clones.runtime++;
    for (const w of ['isra', 'constprop', 'part', 'cold'] as const) if (words.includes(w)) clones[w]++;
  }
  return {
    textFunctions: inText.length, endbrFunctions: endbr, tooShort, allFunctions: funcs.length,
    cswtch: numbered.filter((s) => base(s) === 'CSWTCH').length,
    funcNames: numbered.filter((s) => fn.includes(base(s))).length,
    staticLocals: numbered.filter((s) => base(s) !== 'CSWTCH' && !fn.includes(base(s))).length,
    clones,
  };
}

// `xlp trace`: the text output of real calls, patched and unpatched, on both images; exit codes.
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/xlp.ts';
import type { Output } from '../../cli/options.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { textLines } from '../../cli/trace/text.ts';
import type { TraceStep } from '../../emulator/xen/trace.ts';

async function xlp(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Output = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await main(argv, io);
  return { code, out, err };
}

/** The numbered instruction lines of a trace. */
const stepLines = (out: string[]): string[] => out.filter((l) => /^\s*\d+ {2}[0-9a-f]{16} {2}/.test(l));

describe('xlp trace', () => {
  it('prints the unpatched path of xen_extra_version on the builtin image', async () => {
    const r = await xlp('trace', 'xen_extra_version', '--string');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const steps = stepLines(r.out);
    expect(steps[0]).toMatch(/^1 {2}[0-9a-f]{16} {2}xen_extra_version\+0x0 .*leaq/);
    expect(steps.at(-1)).toMatch(/__x86_return_thunk\+0x0 +c3 +retq +returns 0x[0-9a-f]+ "\.7-xlp"$/);
    expect(r.out.at(-1)).toMatch(/^xen_extra_version\(\) returned 0x[0-9a-f]+ "\.7-xlp"$/);
    expect(r.out.join('\n')).not.toContain('trampoline');
  });

  for (const target of ['builtin', 'debian'] as const) {
    it(`shows the trampoline, the #GP and its fixup with xen_hello_world applied on ${target}`, async () => {
      const r = await xlp('trace', '--image', target, '--apply', payloadPath(target, 'xen_hello_world'), 'xen_extra_version', '--string');
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out[0]).toBe('console: livepatch: xen_hello_world: Applying 1 functions');
      expect(r.out).toContain(`trace of xen_extra_version() on ${target} with xen_hello_world applied: ${stepLines(r.out).length} instructions`);
      const steps = stepLines(r.out);
      const jump = steps.find((l) => l.includes('trampoline'))!;
      expect(jump).toMatch(/ xen_extra_version\+0x[04] +e9( [0-9a-f]{2}){4} +jmp 0x[0-9a-f]+ +→ trampoline to xen_hello_world!xen_hello_world$/);
      const fault = steps.findIndex((l) => / #GP at /.test(l));
      expect(steps[fault]).toMatch(/xen_hello_world!xen_hello_world\+0x[0-9a-f]+ .*#GP at xen_hello_world!xen_hello_world\+0x[0-9a-f]+ → fixup xen_hello_world!xen_hello_world\+0x[0-9a-f]+ \(exception table\)$/);
      expect(steps[fault + 1]).toMatch(/← resumed here after the #GP at xen_hello_world!xen_hello_world\+0x[0-9a-f]+$/);
      expect(steps.indexOf(jump)).toBeLessThan(fault);
      expect(r.out.at(-1)).toMatch(/^xen_extra_version\(\) returned 0x[0-9a-f]+ "Hello World"$/);
      // Immediates in hex (capstone prints NON_CANONICAL_ADDR in decimal), the fix-up's -EFAULT named.
      expect(r.out.join('\n')).not.toContain('16045481047390945280');
      expect(steps[fault + 1]).toMatch(/\$0xfffffff2 = -14 = -EFAULT/);
    });
  }

  it('prints the fault of a faulting call and exits 1', async () => {
    const r = await xlp('trace', '--image', 'builtin', 'selftest_bug');
    expect(r.code).toBe(1);
    expect(stepLines(r.out)).toEqual([expect.stringMatching(/^1 {2}[0-9a-f]{16} {2}selftest_bug\+0x0 +0f 0b +ud2 +✗ #UD: Xen BUG at common\/selftest\.c:\d+$/)]);
    expect(r.out).toContainEqual(expect.stringMatching(/^ +console: Xen BUG at common\/selftest\.c:\d+$/));
    expect(r.out).toContainEqual(expect.stringMatching(/^guest fault: #UD \(vector 6\) at selftest_bug\+0x0 \[0x[0-9a-f]+\]: Xen BUG at /));
    expect(r.out).toContainEqual(expect.stringMatching(/^ +backtrace:$/));
  });

  it('marks a WARN and carries on', async () => {
    const r = await xlp('trace', 'selftest_warn');
    expect(r.code).toBe(0);
    expect(r.out).toContainEqual(expect.stringMatching(/ud2 +#UD at selftest_warn\+0x0 → fixup selftest_warn\+0x2 \(WARN\)$/));
    expect(r.out).toContainEqual(expect.stringMatching(/^ +console: Xen WARN at common\/selftest\.c:\d+$/));
    expect(r.out.at(-1)).toBe('selftest_warn() returned 0x2a (42)');
  });

  it('stops at --max with a note and exit code 1', async () => {
    const r = await xlp('trace', '--max', '2', '--apply', payloadPath('builtin', 'xen_hello_world'), 'xen_extra_version');
    expect(r.code).toBe(1);
    expect(stepLines(r.out).length).toBe(2);
    expect(r.out.at(-1)).toBe('trace stopped after 2 instructions (--max 2): xen_extra_version() had not returned');
  });

  it('refuses an unknown symbol and a bad --max', async () => {
    const unknown = await xlp('trace', 'no_such_function');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toEqual(['xlp: no symbol no_such_function in builtin']);
    const bad = await xlp('trace', '--max', '0', 'xen_extra_version');
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toContain('not a positive integer: 0');
  });

  it('prints a trace of any length (issue 9: a million steps overflowed the call stack)', () => {
    const step: TraceStep = { address: 0xffff82d040201000n, bytes: Uint8Array.from([0xeb, 0xfe]), text: 'jmp 0xffff82d040201000', symbol: 'idle_loop+0x0', marks: [] };
    const n = 600_000; // far more than a spread into Math.max() survives
    const steps = new Array<TraceStep>(n).fill(step);
    let count = 0;
    let last = '';
    for (const l of textLines({ image: 'builtin', symbol: 'idle_loop', args: [], applied: [], patched: [], string: false,
      trace: { steps, truncated: true, max: n, console: [] } })) {
      count++;
      last = l;
    }
    expect(count).toBe(1 + n + 1);
    expect(last).toBe(`trace stopped after ${n} instructions (--max ${n}): idle_loop() had not returned`);
  });
});

// The trace model (emulator/xen/trace.ts): executed instructions with symbols and disassembly, the trampoline,
// a fault and its fixup, console lines, the return; --max; no hook left behind after a long trace.
import { afterEach, describe, expect, it } from 'vitest';
import { type TraceMark, type TraceResult, type TraceStep, traceCall } from '../../emulator/xen/trace.ts';
import { bootImage } from '../../loader/boot.ts';
import type { LivepatchHost } from '../../loader/livepatch/host.ts';
import { trampolineSites, patchedFunctions } from '../../cli/trace/patches.ts';
import { type Target, TARGETS, newHost, payloadBytes } from '../helpers/host.ts';

const hosts: { machine: { close(): void } }[] = [];
afterEach(() => hosts.splice(0).forEach((h) => h.machine.close()));
const host = (target: Target): LivepatchHost => {
  const h = newHost(target);
  hosts.push(h);
  return h;
};
const mark = <K extends TraceMark['kind']>(s: TraceStep | undefined, kind: K): Extract<TraceMark, { kind: K }> | undefined =>
  s?.marks.find((m): m is Extract<TraceMark, { kind: K }> => m.kind === kind);
const withMark = (t: TraceResult, kind: TraceMark['kind']): TraceStep[] => t.steps.filter((s) => mark(s, kind));

async function traceExtraVersion(h: LivepatchHost, trampolines: bigint[] = []): Promise<TraceResult> {
  return traceCall(h.machine, h.image.symbol('xen_extra_version'), [], { string: true, trampolines });
}

async function applyHello(h: LivepatchHost, target: Target): Promise<bigint[]> {
  h.upload('xen_hello_world', payloadBytes(target, 'xen_hello_world'));
  expect(h.actionAndWait('xen_hello_world', 'APPLY', { nodeps: true })).toEqual({ state: 'APPLIED', rc: 0 });
  return trampolineSites(await patchedFunctions(h));
}

describe('traceCall', () => {
  it('traces xen_extra_version on the builtin image unpatched: entry to the ret of __x86_return_thunk', async () => {
    const h = host('builtin');
    const t = await traceExtraVersion(h);
    expect(t.steps[0]!.symbol).toBe('xen_extra_version+0x0');
    expect(t.steps[0]!.address).toBe(h.image.symbol('xen_extra_version'));
    const last = t.steps.at(-1)!;
    expect(last.text).toMatch(/^retq?$/);
    expect(last.symbol).toMatch(/^__x86_return_thunk\+0x/);
    expect([...last.bytes]).toEqual([0xc3]);
    expect(mark(last, 'return')).toEqual({ kind: 'return', value: t.returned });
    expect(t.string).toBe('.7-xlp');
    expect(t.truncated).toBe(false);
    expect(withMark(t, 'trampoline')).toEqual([]);
    expect(withMark(t, 'fault')).toEqual([]);
    // Every step is disassembled from the bytes that ran.
    for (const s of t.steps) expect(s.text).not.toBe('(bad)');
    // The hook is gone afterwards: the machine runs normally and a second trace sees the same path.
    expect(h.machine.readCString(h.image.call('xen_extra_version'))).toBe('.7-xlp');
    expect((await traceExtraVersion(h)).steps.map((s) => s.address)).toEqual(t.steps.map((s) => s.address));
  });

  it.each(TARGETS)('follows the trampoline into xen_hello_world on %s, through its #GP and .ex_table fixup', async (target) => {
    const h = host(target);
    const sites = await applyHello(h, target);
    const old = h.image.symbol('xen_extra_version');
    expect(sites.length).toBe(1);
    const t = await traceExtraVersion(h, sites);
    expect(t.string).toBe('Hello World');

    const jump = t.steps.find((s) => s.symbol === 'xen_extra_version+0x0' || s.address === sites[0])!;
    expect(jump.address).toBe(sites[0]);
    expect(jump.address - old).toBeLessThanOrEqual(4n); // +4 after ENDBR64
    expect(jump.bytes[0]).toBe(0xe9);
    expect(jump.text).toMatch(/^jmp /);
    const tramp = mark(jump, 'trampoline')!;
    expect(tramp.targetSymbol).toBe('xen_hello_world!xen_hello_world+0x0');
    expect(withMark(t, 'trampoline')).toEqual([jump]);
    expect(t.steps[t.steps.indexOf(jump) + 1]!.address).toBe(tramp.target);

    const [faulting] = withMark(t, 'fault');
    expect(faulting!.symbol).toMatch(/^xen_hello_world!/);
    const fault = mark(faulting, 'fault')!;
    expect(fault.vector).toBe(13); // the non-canonical 0xdead000000000000
    expect(fault.how).toBe('exception table');
    // The registers at the fault: the load's base register holds NON_CANONICAL_ADDR (guest/payloads/include).
    const base = /\(%(\w+)\)/.exec(faulting!.text)![1]!.toUpperCase();
    expect(fault.registers?.[base]).toBe(0xdead000000000000n);
    expect(fault.registers?.RIP).toBe(faulting!.address);
    expect(fault.cr2).toBeUndefined(); // a #GP does not write CR2
    expect(h.payload('xen_hello_world').exceptionTable.search(faulting!.address)).toBe(fault.resume);
    const resumed = t.steps[t.steps.indexOf(faulting!) + 1]!;
    expect(resumed.address).toBe(fault.resume);
    expect(mark(resumed, 'fixup')).toMatchObject({ vector: 13, from: faulting!.address });
    expect(resumed.symbol).toMatch(/^xen_hello_world!/);

    expect(t.steps.at(-1)!.text).toMatch(/^retq?$/);
    expect(mark(t.steps.at(-1), 'return')).toBeDefined();
  });

  it('marks WARN lines from the console and the resume after the ud2', async () => {
    const h = host('builtin');
    const t = await traceCall(h.machine, h.image.symbol('selftest_warn'));
    expect(t.returned).toBe(42n);
    const ud2 = t.steps[0]!;
    expect(ud2.text).toBe('ud2');
    expect(mark(ud2, 'fault')).toMatchObject({ vector: 6, how: 'WARN', resume: ud2.address + 2n });
    expect(mark(ud2, 'console')).toEqual({ kind: 'console', line: expect.stringMatching(/^Xen WARN at common\/selftest\.c:\d+$/), severity: 'warn' });
    expect(mark(t.steps[1], 'fixup')).toBeDefined();
    expect(t.console[0]).toMatch(/^Xen WARN at /);
    expect(t.console).toHaveLength(1 + 13); // then show_execution_state's register dump (test/livepatch/traps.test.ts)
  });

  it('ends at a fatal fault with its report: BUG', async () => {
    const h = host('builtin');
    const t = await traceCall(h.machine, h.image.symbol('selftest_bug'));
    expect(t.returned).toBeUndefined();
    expect(t.fault?.reason).toMatch(/^Xen BUG at common\/selftest\.c:\d+$/);
    const last = t.steps.at(-1)!;
    expect(last.address).toBe(t.fault!.rip);
    expect(mark(last, 'fatal')).toMatchObject({ vector: 6 });
    expect(mark(last, 'console')?.severity).toBe('bug');
  });

  it('stops after --max instructions and leaves the machine usable', async () => {
    const h = host('builtin');
    const sites = await applyHello(h, 'builtin');
    const t = await traceCall(h.machine, h.image.symbol('xen_extra_version'), [], { max: 4, trampolines: sites });
    expect(t.truncated).toBe(true);
    expect(t.steps.length).toBe(4);
    expect(t.returned).toBeUndefined();
    expect(t.fault).toBeUndefined();
    expect(mark(t.steps[0], 'trampoline')).toBeDefined();
    expect(h.machine.readCString(h.image.call('xen_extra_version'))).toBe('Hello World');
  });

  it('traces a 10000-instruction loop exactly, stops at --max, and leaves no hook behind', async () => {
    const { machine: m } = bootImage('builtin');
    hosts.push({ machine: m });
    const loop = m.scratch(64, 'rwx');
    m.write(loop, Buffer.from([0x48, 0x89, 0xf9, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0xc3])); // mov %rdi,%rcx; 1: dec %rcx; jnz 1b; ret
    // Count every call into the hooks the trace adds (timings belong to make bench, not to a test).
    let calls = 0;
    const hookCode = m.uc.hookCode.bind(m.uc);
    m.uc.hookCode = (b, e, fn) => hookCode(b, e, (a, size) => (calls++, fn(a, size)));
    m.setReg('RAX', 0); // the loop never writes RAX: what it "returns" is whatever the last call left there
    const t = await traceCall(m, loop, [4998]);
    expect(t.steps.length).toBe(1 + 2 * 4998 + 1); // mov, 4998 × (dec, jnz), ret: counted by hand
    expect(calls).toBe(t.steps.length); // once per instruction recorded (the run stops before the return sentinel)
    expect(t.steps.slice(1, 3).map((s) => s.text)).toEqual(['decq %rcx', 'jne ' + `0x${(loop + 3n).toString(16)}`]);
    expect(t.returned).toBe(0n);
    const over = await traceCall(m, loop, [6000]);
    expect(over).toMatchObject({ truncated: true, max: 10_000 });
    expect(over.steps.length).toBe(10_000);
    calls = 0;
    expect(m.call(loop, [1_000_000])).toBe(0n);
    expect(calls).toBe(0); // no per-instruction hook left in the normal path
  });
});

describe('traceCall on code that changes while it runs', () => {
  // L: mov $1,%eax (b8 01 00 00 00); cmp $1,%eax (83 f8 01); jne done (75 09);
  //    movb $2, L+1(%rip) (c6 05 f0 ff ff ff 02: rel32 -16 from the next instruction at L+0x11); jmp L (eb ed);
  // done: ret (c3). Bytes by hand from the SDM; the second pass runs mov $2 at the same address.
  it('shows the bytes each pass ran at one address (the recorded instruction is checked before it is reused)', async () => {
    const b = bootImage('builtin');
    hosts.push(b);
    const at = 0xffff82d050000000n;
    b.machine.map(at, 0x1000, 'rwx');
    b.machine.write(at, Uint8Array.of(0xb8, 1, 0, 0, 0, 0x83, 0xf8, 0x01, 0x75, 0x09, 0xc6, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x02, 0xeb, 0xed, 0xc3));
    const t = await traceCall(b.machine, at);
    const atL = t.steps.filter((s) => s.address === at);
    expect(atL.map((s) => [...s.bytes])).toEqual([[0xb8, 1, 0, 0, 0], [0xb8, 2, 0, 0, 0]]);
    expect(atL.map((s) => s.text)).toEqual(['movl $1, %eax', 'movl $2, %eax']);
    expect(t.returned).toBe(2n);
  });
});

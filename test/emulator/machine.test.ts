import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFault, GuestTimeout, MachineError } from '../../emulator/cpu/errors.ts';
import { RETURN_SENTINEL } from '../../emulator/cpu/cpu.ts';
import { Machine } from '../../emulator/xen/machine.ts';
import { assembler } from '../helpers/asm.ts';
import { TestRegion } from '../helpers/region.ts';
import { expectRegisterDump } from '../helpers/execution-state.ts';

const TEXT = 0xffff82d040200000n;
const DATA = 0xffff82d040400000n;
const RO = 0xffff82d040500000n;
const NXPAGE = 0xffff82d040600000n;

let m: Machine;
let asm: (src: string, at?: bigint) => Uint8Array;
let region: TestRegion;
let next = TEXT;

/** Assemble a function into text, register its symbol, return its address. */
function fn(name: string, src: string): bigint {
  const at = next;
  const code = asm(src, at);
  m.write(at, code);
  region.symbols.push([name, at, code.length]);
  next = (at + BigInt(code.length) + 15n) & ~15n;
  return at;
}

/** Address of the n-th instruction matching `needle` (by assembling the prefix). */
function offsetOf(at: bigint, prefix: string): bigint {
  return at + BigInt(asm(prefix, at).length);
}

beforeAll(async () => {
  asm = await assembler();
  m = new Machine();
  m.map(TEXT, 0x10000, 'rx');
  m.map(DATA, 0x2000, 'rw');
  m.map(RO, 0x1000, 'r');
  m.map(NXPAGE, 0x1000, 'rw');
  region = new TestRegion('test', TEXT, TEXT + 0x10000n);
  m.regions.register(region);
});
afterAll(() => m.close());

describe('Machine', () => {
  it('calls a function with SysV arguments and returns RAX', () => {
    const f = fn('add3', 'lea (%rdi,%rsi), %rax; add %rdx, %rax; ret');
    expect(m.call(f, [40, 1, 1])).toBe(42n);
    expect(m.call(f, [0xffff_ffff_ffffn, 1, 0])).toBe(0x1_0000_0000_0000n);
  });

  it('reads and writes typed guest memory through the page tables', () => {
    m.writeU64(DATA + 0xff8n, 0x1122334455667788n);
    m.writeU32(DATA + 0x1000n, 0xdeadbeef);
    expect(m.readU64(DATA + 0xff8n)).toBe(0x1122334455667788n);
    expect(m.read(DATA + 0xffcn, 8).toString('hex')).toBe('44332211efbeadde');
    const f = fn('load', 'mov (%rdi), %rax; ret');
    expect(m.call(f, [DATA + 0xff8n])).toBe(0x1122334455667788n);
    expect(() => m.read(0xffff82d050000000n, 4)).toThrow(MachineError);
  });

  it('makes a guest write to read-only (text) pages fault with #PF error code P|W', () => {
    const f = fn('poke', 'movq $1, (%rdi); ret');
    const err = (() => { try { m.call(f, [TEXT]); } catch (e) { return e; } })() as GuestFault;
    expect(err).toBeInstanceOf(GuestFault);
    expect(err.report.vector).toBe(14);
    expect(err.report.cr2).toBe(TEXT);
    expect(err.report.errorCode).toBe(3);
    expect(err.report.where).toBe('poke+0x0');
    expect(() => m.call(f, [RO + 8n])).toThrow(/#PF/);
    expect(m.call(f, [DATA])).toBe(m.reg('RAX')); // a writable page works
    expect(m.readU64(DATA)).toBe(1n);
  });

  it('does not execute an NX page (#PF on fetch, error code has I/D)', () => {
    m.write(NXPAGE, asm('mov $77, %eax; ret', NXPAGE));
    const err = (() => { try { m.call(NXPAGE); } catch (e) { return e; } })() as GuestFault;
    expect(err.report.vector).toBe(14);
    expect(err.report.cr2).toBe(NXPAGE);
    expect(err.report.errorCode! & 0x10).toBe(0x10);
    m.protect(NXPAGE, 0x1000, 'rx');
    expect(m.call(NXPAGE)).toBe(77n);
    m.protect(NXPAGE, 0x1000, 'rw');
  });

  it('reports #GP for a non-canonical load and #DE, #UD, #BP with precise RIP', () => {
    const gp = fn('gp', 'mov (%rdi), %rax; ret');
    const de = fn('de', 'xor %edx, %edx; mov $1, %eax; div %esi; ret');
    const ud = fn('ud', 'nop; ud2; ret');
    const bp = fn('bp', 'nop; int3; ret');
    const cases: [bigint, bigint[], number, bigint][] = [
      [gp, [0xdead000000000000n], 13, gp],
      [de, [0n, 0n], 0, offsetOf(de, 'xor %edx, %edx; mov $1, %eax')],
      [ud, [], 6, ud + 1n],
      [bp, [], 3, bp + 2n], // int3 is a trap: RIP is the next instruction
    ];
    for (const [f, args, vector, rip] of cases) {
      const e = (() => { try { m.call(f, args); } catch (x) { return x; } })() as GuestFault;
      expect(e, `vector ${vector}`).toBeInstanceOf(GuestFault);
      expect(e.report.vector).toBe(vector);
      expect(e.report.rip).toBe(rip);
    }
  });

  it('fixes up ten mixed faults in one call, one three calls deep, with the stack intact', () => {
    // Each faulting instruction gets a fixup stub that counts in %rbx and continues after it.
    const deep3 = fn('deep3', 'mov (%rdi), %rax; ret');
    const deep2 = fn('deep2', `call ${deep3}; ret`);
    const deep1 = fn('deep1', `push %r12; call ${deep2}; pop %r12; ret`);
    const faulting = ['mov (%rdi), %rax', 'movq $1, (%rdi)', 'mov (%rsi), %rax', 'div %ecx', 'ud2',
      'mov (%rdi), %rax', 'mov (%rsi), %rax', 'div %ecx', 'ud2'];
    const lines = ['mov $0x1234, %r12', 'push %rbx', 'push %rbp', 'mov %rsp, %rbp', 'xor %ebx, %ebx', 'xor %ecx, %ecx', 'xor %edx, %edx'];
    const at = next;
    const sites: [bigint, bigint][] = [];
    for (const [i, insn] of faulting.entries()) {
      const start = offsetOf(at, lines.join('; '));
      lines.push(insn);
      sites.push([start, offsetOf(at, lines.join('; '))]);
      if (i === 4) lines.push(`call ${deep1}`);
    }
    sites.push([deep3, deep3 + 3n]); // mov (%rdi),%rax is 3 bytes
    const f = fn('many', `${lines.join('; ')}; cmp %rsp, %rbp; jne bad; mov %rbx, %rax; pop %rbp; pop %rbx; ret; bad: mov $-1, %rax; pop %rbp; pop %rbx; ret`);
    expect(f).toBe(at);
    for (const [site, after] of sites) region.fixups.set(site, fn(`fixup_${site.toString(16)}`, `inc %rbx; jmp ${after}`));
    const n = m.call(f, [0xffff82d050000000n, 0xdead000000000000n]);
    expect(n).toBe(10n); // 9 in the body, 1 three calls deep
    expect(m.reg('R12')).toBe(0x1234n);
    expect(m.reg('RSP')).toBe(m.stackTop);
    expect(m.fixups.map((x) => x.vector).sort((a, b) => a - b)).toEqual([0, 0, 6, 6, 13, 13, 14, 14, 14, 14]);
    expect(m.call(f, [0xffff82d050000000n, 0xdead000000000000n])).toBe(10n); // and again: no double fault
  });

  // How fast the watchdog fires is a timing, measured by `make bench`, not asserted here.
  it('turns an endless loop into a GuestTimeout (wall clock and instruction limit)', () => {
    const spin = fn('spin', 'l: jmp l');
    expect(() => m.call(spin, [], { timeoutMs: 50 })).toThrow(GuestTimeout);
    // A wall-clock limit far off, so that the instruction count is what stops it even on a loaded machine.
    expect(() => m.call(spin, [], { maxInstructions: 10_000, timeoutMs: 120_000 })).toThrow(/within 10000 instructions/);
    const f = fn('after', 'mov $9, %eax; ret');
    expect(m.call(f)).toBe(9n); // the machine is usable afterwards
  });

  it('sees code written by the host on the very next call (translation cache invalidated)', () => {
    const f = fn('patchme', 'mov $1, %eax; ret');
    expect(m.call(f)).toBe(1n);
    m.write(f, asm('mov $2, %eax; ret', f));
    expect(m.call(f)).toBe(2n);
    const target = fn('target', 'mov $3, %eax; ret');
    const jmp = Buffer.alloc(5);
    jmp[0] = 0xe9;
    jmp.writeInt32LE(Number(target - (f + 5n)), 1);
    m.write(f, jmp);
    expect(m.call(f)).toBe(3n);
  });

  it('serves a function from TypeScript (host stub), which may call back into the guest', () => {
    const callee = fn('callee', 'mov $100, %eax; ret');
    const twice = fn('twice', 'lea (%rdi,%rdi), %rax; ret');
    const caller = fn('caller', `push %rbx; mov $5, %ebx; mov $7, %edi; call ${callee}; add %rbx, %rax; pop %rbx; ret`);
    expect(m.call(caller)).toBe(105n);
    const seen: bigint[] = [];
    const remove = m.stub(callee, 'callee', (args, mm) => {
      seen.push(args[0]!);
      return mm.call(twice, [args[0]!]) + 1n;
    });
    expect(m.call(caller)).toBe(5n + 15n);
    expect(seen).toEqual([7n]);
    remove();
    expect(m.call(caller)).toBe(105n);
  });

  it('captures console output written to port 0xE9 line by line', () => {
    const hello = 'hi xen\n';
    const bytes = [...hello].map((c) => `mov $${c.charCodeAt(0)}, %al; out %al, $0xe9`).join('; ');
    const f = fn('say', `${bytes}; ret`);
    m.console.drain();
    m.call(f);
    m.call(f);
    expect(m.console.drain()).toEqual(['hi xen', 'hi xen']);
  });

  it('handles bug frames: WARN continues after ud2, BUG stops with file:line, run_fn calls its function', () => {
    const warn = fn('warner', 'mov $1, %eax; ud2; add $41, %eax; ret');
    region.bugFrames.set(warn + 5n, { type: 'warn', address: warn + 5n, file: 'common/x.c', line: 12 });
    m.console.drain();
    expect(m.call(warn)).toBe(42n);
    const lines = m.console.drain();
    expect(lines[0]).toBe('Xen WARN at common/x.c:12');
    expectRegisterDump(lines.slice(1), warn + 5n, 1n); // the ud2, after `mov $1, %eax`
    const bug = fn('bugger', 'nop; ud2; ret');
    region.bugFrames.set(bug + 1n, { type: 'bug', address: bug + 1n, file: 'common/y.c', line: 99 });
    expect(() => m.call(bug)).toThrow(/Xen BUG at common\/y.c:99/);
    const target = fn('runme', 'mov 0x50(%rdi), %rax; mov %rax, ' + `${DATA + 0x100n}; ret`);
    const runFn = fn('runfn', 'mov $0x55, %eax; ud2; ret');
    region.bugFrames.set(runFn + 5n, { type: 'run_fn', address: runFn + 5n, line: 0, fn: target });
    expect(m.call(runFn)).toBe(0x55n); // RAX restored after fn(regs) ran
    expect(m.readU64(DATA + 0x100n)).toBe(0x55n); // fn saw regs->rax (offset 0x50)
  });

  it('reports an unfixable fault with symbol, CR2 and a backtrace through callers', () => {
    const leaf = fn('leaf', 'mov (%rdi), %rax; ret');
    const mid = fn('mid', `sub $8, %rsp; call ${leaf}; add $8, %rsp; ret`);
    const top = fn('top', `push %rbx; call ${mid}; pop %rbx; ret`);
    const e = (() => { try { m.call(top, [0x1000n]); } catch (x) { return x; } })() as GuestFault;
    expect(e.report.where).toBe('leaf+0x0');
    expect(e.report.cr2).toBe(0x1000n);
    expect(e.report.backtrace.filter((f) => !f.symbol.startsWith('?')).map((f) => f.symbol.split('+')[0])).toEqual(['leaf', 'mid', 'top']);
    expect(e.message).toMatch(/#PF \(vector 14\) at leaf\+0x0/);
  });

  it('starts every top-level call from the defined register state, whatever the previous call left', () => {
    const dirty = fn('dirty', 'mov $0xdeadbeef, %eax; mov %rax, %rbx; mov %rax, %r15; mov %rax, %rcx; std; ret');
    const rbx = fn('get_rbx', 'mov %rbx, %rax; ret');
    const rcx = fn('get_rcx', 'mov %rcx, %rax; ret');
    const flags = fn('get_flags', 'pushf; pop %rax; ret');
    const rsp = fn('get_rsp', 'mov %rsp, %rax; ret');
    const crash = fn('crash', 'ud2');
    const zero = (r: string) => fn(`get_${r}`, `mov %${r}, %rax; ret`);
    m.call(dirty);
    expect(m.call(rbx)).toBe(0n);
    m.call(dirty);
    expect(m.call(zero('r15'))).toBe(0n);
    m.call(dirty);
    expect(m.call(rcx, [1, 2, 3, 4])).toBe(4n); // RCX is the fourth argument register
    m.call(dirty);
    expect(m.call(rcx)).toBe(0n); // arguments not given are zero too
    m.call(dirty);
    expect(m.call(flags)).toBe(0x2n); // RFLAGS' reset value (bit 1 is always set): DF of the last call is gone
    expect(m.call(rsp)).toBe(m.stackTop - 8n); // the return address slot, under cpu_info
    m.call(dirty);
    const e = (() => {
      try {
        m.call(crash);
      } catch (err) {
        return err as GuestFault;
      }
    })()!;
    expect(e.report.registers).toMatchObject({ RAX: 0n, RBX: 0n, RCX: 0n, R15: 0n });
  });

  it('snapshots and restores memory and registers', () => {
    m.writeU64(DATA + 0x200n, 1n);
    const snap = m.snapshot();
    m.writeU64(DATA + 0x200n, 2n);
    m.map(0xffff82d040700000n, 0x1000, 'rw');
    m.restore(snap);
    expect(m.readU64(DATA + 0x200n)).toBe(1n);
    expect(m.isMapped(0xffff82d040700000n)).toBe(false);
    expect(m.readU64(m.stackTop - 8n)).toBe(RETURN_SENTINEL); // the sentinel slot is part of RAM
  });
});

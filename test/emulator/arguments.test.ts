// Issue 12 item 1: call arguments in guest memory (integers exact to 64 bits; zero/bytes/string/struct buffers
// passed by address, read back after the call, unmapped per call).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../emulator/cpu/arguments.ts';
import { cStringOf, formatCallArg, parseCallArg } from '../../cli/call-args.ts';
import { ARGUMENT_AREA } from '../../emulator/cpu/argument-area.ts';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { Machine } from '../../emulator/xen/machine.ts';
import { assembler } from '../helpers/asm.ts';

describe('parseCallArg', () => {
  it('reads integers exactly to 64 bits: decimal, 0x-hex, negative as two\'s complement', () => {
    expect(parseCallArg('0x7fffffffffffffff')).toBe(0x7fffffffffffffffn);
    expect(parseCallArg('0xffffffffffffffff')).toBe(0xffffffffffffffffn);
    expect(parseCallArg('18446744073709551615')).toBe(0xffffffffffffffffn);
    expect(parseCallArg('-1')).toBe(0xffffffffffffffffn);
    expect(parseCallArg('-9223372036854775808')).toBe(0x8000000000000000n);
    expect(parseCallArg('9007199254740993')).toBe(9007199254740993n); // 2^53 + 1: not a double
    for (const bad of ['0x10000000000000000', '18446744073709551616', '-9223372036854775809', '1.5', '', 'abc']) {
      expect(() => parseCallArg(bad), bad).toThrow(ArgumentError);
    }
  });

  it('reads zero:N, buf:HEX and str:TEXT, and refuses what is not one', () => {
    expect(parseCallArg('zero:16')).toEqual({ zero: 16 });
    expect(parseCallArg('zero:0x10')).toEqual({ zero: 16 });
    expect(parseCallArg('buf:2e37ff')).toEqual({ bytes: Buffer.from([0x2e, 0x37, 0xff]) });
    expect(parseCallArg('str:a:b c')).toEqual({ string: 'a:b c' });
    expect(parseCallArg('str:')).toEqual({ string: '' });
    for (const bad of ['zero:0', 'zero:-1', 'zero:x', 'buf:abc', 'buf:zz', 'buf:', 'ptr:5', 'zero:2000000']) {
      expect(() => parseCallArg(bad), bad).toThrow(ArgumentError);
    }
    for (const t of ['zero:16', 'buf:2e37ff', 'str:a:b c', '0xffffffffffffffff']) expect(formatCallArg(parseCallArg(t))).toBe(t);
  });

  it('tells a C string from other bytes', () => {
    expect(cStringOf(Buffer.from('.7\0\0'))).toBe('.7');
    expect(cStringOf(Buffer.alloc(8))).toBeUndefined(); // empty: nothing worth showing
    expect(cStringOf(Buffer.from('abc'))).toBeUndefined(); // no NUL inside
    expect(cStringOf(Buffer.from([0x41, 0x01, 0]))).toBeUndefined();
  });
});

describe('Machine.callWith', () => {
  const TEXT = 0xffff82d040200000n;
  let m: Machine;
  let asm: (src: string, at?: bigint) => Uint8Array;
  let next = TEXT;
  const fn = (src: string): bigint => {
    const at = next;
    const code = asm(src, at);
    m.write(at, code);
    next = (at + BigInt(code.length) + 15n) & ~15n;
    return at;
  };

  beforeAll(async () => {
    asm = await assembler();
    m = new Machine();
    m.map(TEXT, 0x1000, 'rx');
  });
  afterAll(() => m.close());

  it('passes buffers by address in the lower half, reads them back, and unmaps them after the call', () => {
    // copy(dst, src, n): rep movsb; returns dst
    const copy = fn('mov %rdi, %rax; mov %rdx, %rcx; rep movsb; ret');
    const r = m.callWith(copy, [{ zero: 8 }, { bytes: Buffer.from('.7\0') }, 3]);
    expect(r.value).toBe(r.buffers[0]!.address);
    expect(r.buffers[0]!.address >> 47n).toBe(0n);
    expect(r.buffers[0]!.address >= ARGUMENT_AREA).toBe(true);
    expect(r.buffers[0]!.bytes.toString('hex')).toBe('2e37000000000000');
    expect(r.buffers[1]!.bytes.toString('latin1')).toBe('.7\0');
    expect(r.buffers[2]).toBeUndefined();
    expect(m.isMapped(r.buffers[0]!.address)).toBe(false);
    expect(m.isMapped(r.buffers[1]!.address)).toBe(false);
  });

  it('lays out a struct of fields at offsets, with a pointer to another buffer', () => {
    // sum(s): *(u32 *)(s+0) + *(u16 *)(s+4) + *(u8 *)(s+6) + *(u64 *)(s+8) + strlen-ish first byte of *(s+16)
    const sum = fn('mov (%rdi), %eax; movzwl 4(%rdi), %ecx; add %rcx, %rax; movzbl 6(%rdi), %ecx; add %rcx, %rax; add 8(%rdi), %rax; mov 16(%rdi), %rdx; movzbl (%rdx), %ecx; add %rcx, %rax; movb $0x5a, 24(%rdi); ret');
    const r = m.callWith(sum, [{ struct: [
      { offset: 0, u32: 0x1000 }, { offset: 4, u16: 0x200 }, { offset: 6, u8: 0x30 }, { offset: 8, u64: 0x100000000n },
      { offset: 16, pointer: { string: 'A' } },
    ], size: 32 }]);
    expect(r.value).toBe(0x100000000n + 0x1000n + 0x200n + 0x30n + 0x41n);
    expect(r.buffers[0]!.bytes.length).toBe(32);
    expect(r.buffers[0]!.bytes.subarray(0, 8).toString('hex')).toBe('0010000000023000');
    expect(r.buffers[0]!.bytes[24]).toBe(0x5a); // written by the callee
  });

  it('makes an overrun fault at the guard page after the buffer, and frees the buffers of a faulting call', () => {
    const poke = fn('movb $1, (%rdi,%rsi); ret');
    expect(m.callWith(poke, [{ zero: 16 }, 15]).buffers[0]!.bytes[15]).toBe(1);
    let f: GuestFault | undefined;
    try {
      m.callWith(poke, [{ zero: 16 }, 16]);
    } catch (e) {
      f = e as GuestFault;
    }
    expect(f).toBeInstanceOf(GuestFault);
    expect(f!.report.vector).toBe(14);
    const buffer = f!.report.registers.RDI!;
    expect(f!.report.cr2).toBe(buffer + 16n);
    expect(f!.report.errorCode).toBe(2); // write to a not-present page
    expect(m.isMapped(buffer)).toBe(false);
  });
});

// A saved host's RAM is the pages that differ from a fresh boot (issue 9): changedFrames() after markBaseline()
// finds exactly those, and restoreFrames() lays them over another fresh machine, dropping stale translations.
import { afterEach, describe, expect, it } from 'vitest';
import { Cpu } from '../../emulator/cpu/cpu.ts';

const TEXT = 0xffff800000200000n;
const DATA = 0xffff800000400000n;
// mov $N,%eax; ret (B8 imm32 C3): bytes by hand.
const movRet = (n: number): Buffer => Buffer.from([0xb8, n, 0, 0, 0, 0xc3]);
const frameOf = (c: Cpu, va: bigint): number => c.translate(va)!.physical & ~0xfff;

function machine(): Cpu {
  const c = new Cpu();
  c.map(TEXT, 0x1000, 'rx');
  c.map(DATA, 0x2000, 'rw');
  c.write(TEXT, movRet(1));
  return c;
}

const open: Cpu[] = [];
afterEach(() => open.splice(0).forEach((c) => c.close()));

describe('the baseline of a machine', () => {
  it('lists exactly the frames written since, including frames allocated after it', () => {
    const a = machine();
    open.push(a);
    a.markBaseline();
    expect(a.changedFrames()).toEqual([]);
    a.write(DATA + 0x1010n, Buffer.from('x'));
    a.write(DATA + 0x1020n, Buffer.from('x')); // same frame again
    expect(a.changedFrames()).toEqual([frameOf(a, DATA + 0x1000n)]);
    a.map(DATA + 0x10000n, 0x1000, 'rw'); // new frames: a zeroed data frame, and page-table frames that differ
    a.write(DATA + 0x10000n, Buffer.from('y'));
    expect(a.changedFrames()).toContain(frameOf(a, DATA + 0x10000n));
    a.write(DATA + 0x1010n, Buffer.from([0])); // back to the baseline's bytes: not changed any more
    a.write(DATA + 0x1020n, Buffer.from([0]));
    expect(a.changedFrames()).not.toContain(frameOf(a, DATA + 0x1000n));
  });

  it('restoreFrames() gives another machine those bytes, and code it already ran is translated anew', () => {
    const a = machine();
    const b = machine();
    open.push(a, b);
    a.markBaseline();
    expect(b.call(TEXT)).toBe(1n); // b has translated TEXT
    a.write(TEXT, movRet(2));
    a.write(DATA + 8n, Buffer.from('saved'));
    const frames = a.changedFrames();
    expect(frames.sort((x, y) => x - y)).toEqual([frameOf(a, TEXT), frameOf(a, DATA)].sort((x, y) => x - y));
    const pages = Buffer.concat(frames.map((f) => a.memory.bytes.subarray(f, f + 0x1000)));
    b.restoreFrames(frames, pages, a.memory.saveState(), a.scratchPointer);
    expect(b.read(DATA + 8n, 5).toString()).toBe('saved');
    expect(b.call(TEXT)).toBe(2n);
    expect(() => b.restoreFrames([0x1001], Buffer.alloc(0x1000), a.memory.saveState(), a.scratchPointer)).toThrow(/not a frame/);
    expect(() => b.restoreFrames([0x1000], Buffer.alloc(0x800), a.memory.saveState(), a.scratchPointer)).toThrow(/need 4096 bytes/);
  });

  it('reaches RAM beyond the first 16 MiB JavaScript views (allocation, restore, restoreFrames)', () => {
    const a = machine();
    const b = machine();
    open.push(a, b);
    const big = 0xffff800010000000n;
    a.map(big, 20 << 20, 'rw'); // 20 MiB of fresh frames: the view grows past its first 16 MiB
    const end = big + BigInt((20 << 20) - 16);
    a.write(end, Buffer.from('far away'));
    expect(a.read(end, 8).toString()).toBe('far away');
    expect(frameOf(a, end)).toBeGreaterThan(16 << 20);
    const snap = a.snapshot();
    b.restore(snap);
    expect(b.read(end, 8).toString()).toBe('far away');
    const c = machine();
    open.push(c);
    c.restoreFrames([frameOf(a, end)], a.memory.bytes.subarray(frameOf(a, end), frameOf(a, end) + 0x1000), a.memory.saveState(), a.scratchPointer);
    expect(c.memory.bytes.subarray(frameOf(a, end) + 0xff0, frameOf(a, end) + 0xff8).toString()).toBe('far away');
  });
});

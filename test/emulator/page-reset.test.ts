// PageReset: a call's written pages found through the page tables' dirty bits, and put back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cpu } from '../../emulator/cpu/cpu.ts';
import { PageReset } from '../../emulator/cpu/page-reset.ts';

const TEXT = 0xffff800000200000n;
const DATA = 0xffff800000400000n;
let cpu: Cpu;
beforeEach(() => {
  cpu = new Cpu();
  cpu.map(TEXT, 0x1000, 'rx');
  cpu.map(DATA, 0x3000, 'rw');
  // mov %rsi,(%rdi); ret
  cpu.write(TEXT, Buffer.from([0x48, 0x89, 0x37, 0xc3]));
  cpu.fill(DATA, 0x3000, 0x11);
});
afterEach(() => cpu.close());

describe('PageReset', () => {
  it('lists exactly the pages the guest wrote and copies them back', () => {
    const r = new PageReset(cpu);
    expect(r.written()).toEqual([]);
    cpu.call(TEXT, [DATA + 0x1008n, 0x2222n]);
    expect(r.written().filter((va) => va >= DATA && va < DATA + 0x3000n)).toEqual([DATA + 0x1000n]);
    expect(cpu.readU64(DATA + 0x1008n)).toBe(0x2222n);
    r.reset();
    expect(r.written()).toEqual([]);
    expect(cpu.read(DATA, 0x3000)).toEqual(Buffer.alloc(0x3000, 0x11));
    cpu.call(TEXT, [DATA + 0x2000n, 0x3333n]); // D set again after the reset: the TLB was flushed
    expect(r.written().filter((va) => va >= DATA)).toEqual([DATA + 0x2000n]);
    r.release();
  });

  it('falls back to a full restore when the call mapped memory, and leaves every D bit set on release', () => {
    const r = new PageReset(cpu);
    const before = cpu.snapshot();
    cpu.map(0xffff800000800000n, 0x1000, 'rw');
    r.reset();
    expect(r.fallbacks).toBe(1);
    expect(cpu.isMapped(0xffff800000800000n)).toBe(false);
    r.release();
    const after = cpu.snapshot();
    expect(after.ram.equals(before.ram)).toBe(false); // D bits were clear in `before`
    let dClear = 0;
    cpu.pages.forEachMapping((_va, _f, _x, w, entry) => void (w && !(cpu.memory.bytes[entry]! & 0x40) && dClear++));
    expect(dClear).toBe(0);
  });
});

// PageTables.map() walks once per leaf table: a range across a leaf-table boundary (every 2 MiB) gets one
// fresh frame per page with the asked permissions, and a range with one page already mapped changes nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { PageTables } from '../../emulator/cpu/paging.ts';
import { PhysicalMemory } from '../../emulator/cpu/physical.ts';

const mem = new PhysicalMemory(16 << 20);
afterAll(() => mem.release());

describe('PageTables.map', () => {
  it('maps across a 2 MiB boundary, and refuses a range holding a mapped page without allocating anything', () => {
    const pt = new PageTables(mem);
    const boundary = 0xffff800000400000n; // 2 MiB aligned: the last two pages before it use another leaf table
    const va = boundary - 0x2000n;
    pt.map(va, 0x4000, 'rx');
    const frames = [0, 1, 2, 3].map((k) => pt.translate(va + BigInt(k * 0x1000)));
    expect(frames.every((t) => t && t.executable && !t.writable)).toBe(true);
    expect(new Set(frames.map((t) => t!.physical)).size).toBe(4);
    // root + PDPT + PD + 2 leaf tables + 4 data frames, all from one fresh allocator.
    expect(mem.highWater).toBe(9 * 0x1000);
    expect(pt.translate(va - 0x1000n)).toBeUndefined();
    expect(() => pt.map(va - 0x2000n, 0x3000, 'rw')).toThrow(`page 0x${va.toString(16)} is already mapped`);
    expect(mem.highWater).toBe(9 * 0x1000);
    expect(pt.translate(va - 0x2000n)).toBeUndefined();
    expect(pt.translate(va - 0x1000n)).toBeUndefined();
    expect(pt.translate(va)!.executable).toBe(true); // the mapped page kept its permissions
  });
});

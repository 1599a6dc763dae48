// Xen's own copy_from_guest_ll across a guest page and an unmapped one: a real #PF inside `rep movs`, fixed up by
// the image's own .ex_table (it zero-fills the rest and returns the bytes not copied). Shared by the image tests.
import { expect } from 'vitest';
import type { Machine } from '../../emulator/xen/machine.ts';
import type { Image } from '../../loader/image/index.ts';

export function expectCopyFromGuestFixedUp(m: Machine, img: Image): void {
  const src = 0x10000n; // a guest page followed by an unmapped one
  const dst = 0xffff82d0c0000000n;
  m.map(src, 0x1000, 'rw');
  m.fill(src, 0x1000, 0xab);
  m.map(dst, 0x3000, 'rw');
  const before = m.fixups.length;
  expect(img.call('copy_from_guest_ll', [dst, src, 0x2000])).toBe(0x1000n);
  expect(m.fixups).toHaveLength(before + 1);
  const fix = m.fixups.at(-1)!;
  expect(fix.vector).toBe(14);
  expect(m.symbolize(fix.rip)).toMatch(/^copy_from_guest_ll\+0x/);
  expect(img.exceptionTable.search(fix.rip)).toBe(fix.resume);
  expect(m.read(dst + 0xff8n, 16).toString('hex')).toBe('abababababababab0000000000000000');
}

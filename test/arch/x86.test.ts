// The x86 arch object is chosen per image, with what the image shows about itself.
import { afterAll, describe, expect, it } from 'vitest';
import { archFor } from '../../loader/arch/index.ts';
import { type X86Arch, isEndbr64, isEndbr64Insn, x86FactsFromImage } from '../../loader/arch/x86/index.ts';
import { patchLength } from '../../loader/arch/x86/trampoline.ts';
import { bootImage } from '../../loader/boot.ts';

describe('x86 arch for an image', () => {
  const debian = bootImage('debian');
  const builtin = bootImage('builtin');
  afterAll(() => {
    debian.machine.close();
    builtin.machine.close();
  });

  it("reads NCAPINTS from Debian's featureset-sized array (nm -S: forced_caps is 0x54 bytes = 21 words)", () => {
    const facts = x86FactsFromImage(debian.image);
    expect(facts.ncapints).toBe(0x54 / 4);
    expect(facts.version).toBe('4.17');
    // NCAPINTS * 32 with NCAPINTS = 21 in 4.17.7 (19 featureset words + synthetic + bug).
    expect((archFor(debian.image) as X86Arch).featureBound).toBe(0x2a0);
  });

  it('falls back on the version table where the image has no such array (our builtin image says 4.17)', () => {
    const facts = x86FactsFromImage(builtin.image);
    expect(facts.ncapints).toBeUndefined();
    expect(facts.version).toBe('4.17');
    expect((archFor(builtin.image) as X86Arch).featureBound).toBe(21 * 32);
  });

  it("puts payloads in Xen's vmap area: from __2M_rwdata_end (Debian: 0xffff82d0405a7000, spec §9)", () => {
    expect(archFor(debian.image).windows.area.start).toBe(0xffff82d0405a7000n);
  });
});

// Byte patterns from the SDM: ENDBR64 F3 0F 1E FA, ENDBR32 F3 0F 1E FB, NOPW 66 0F 1F 44 00 00; Xen poisons an
// unused ENDBR64 into 66 0F 1F 01 (nopw (%rcx)).
describe('ENDBR64 detection', () => {
  const b = (...x: number[]): Uint8Array => Uint8Array.from(x);
  it('live patching skips ENDBR64 and its poison; altcall only ENDBR64; nothing that merely starts like them', () => {
    expect([isEndbr64(b(0xf3, 0x0f, 0x1e, 0xfa, 0x55)), isEndbr64Insn(b(0xf3, 0x0f, 0x1e, 0xfa))]).toEqual([true, true]);
    expect([isEndbr64(b(0x66, 0x0f, 0x1f, 0x01)), isEndbr64Insn(b(0x66, 0x0f, 0x1f, 0x01))]).toEqual([true, false]);
    const near = [[0xf3, 0x0f, 0x1e, 0xfb], [0x66, 0x0f, 0x1f, 0x44, 0, 0], [0xf3, 0x48, 0xab], [0x66, 0x90], [0xf3, 0x0f, 0x1e], []];
    for (const n of near) expect([isEndbr64(b(...n)), isEndbr64Insn(b(...n))], n.join(' ')).toEqual([false, false]);
    expect([isEndbr64(undefined), isEndbr64Insn(undefined)]).toEqual([false, false]);
  });
});

describe('the bytes a patch replaces', () => {
  const nop = (newSize: number) => ({ oldAddr: 0xffff82d040200000n, oldSize: 64, newAddr: 0n, newSize });
  it('is 5 for a jump, new_size after any ENDBR64 for NOPs, up to the 31-byte saved buffer', () => {
    expect(patchLength({ ...nop(9), newAddr: 0xffff82d040300000n }, 4)).toBe(5);
    expect([patchLength(nop(9), 0), patchLength(nop(9), 4), patchLength(nop(31), 0), patchLength(nop(4), 4)]).toEqual([9, 5, 31, 0]);
    expect(() => patchLength(nop(32), 0)).toThrow(/^NOP length 32 - 0 \(ENDBR64\) does not fit 0\.\.31$/); // more than insn_buffer
    expect(() => patchLength(nop(35), 4)).not.toThrow();
    expect(() => patchLength(nop(3), 4)).toThrow(RangeError); // shorter than the ENDBR64 it must keep
  });
});

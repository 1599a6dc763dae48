// The x86 arch object is chosen per image, with what the image shows about itself.
import { afterAll, describe, expect, it } from 'vitest';
import { archFor } from '../../loader/arch/index.ts';
import { type X86Arch, x86FactsFromImage } from '../../loader/arch/x86/index.ts';
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

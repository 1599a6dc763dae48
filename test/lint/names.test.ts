// Name classification (numbered locals, IPA clones) and what .comment / .GCC.command.line say.
import { describe, expect, it } from 'vitest';
import { compilers, ipaRaDisabled, sectionStrings } from '../../loader/lint/comment.ts';
import { generatedLocalKind, namePath, parseClone, plainName } from '../../loader/lint/names.ts';

describe('names', () => {
  it('tells compiler-numbered locals from ordinary names', () => {
    expect(generatedLocalKind('CSWTCH.220', true)).toBe('CSWTCH');
    expect(generatedLocalKind('__func__.3', true)).toBe('__func__');
    expect(generatedLocalKind('__PRETTY_FUNCTION__.1', true)).toBe('__func__');
    expect(generatedLocalKind('warned.12', true)).toBe('static-local');
    expect(generatedLocalKind('warned.12', false)).toBeUndefined();
    expect(generatedLocalKind('.LC0', false)).toBe('asm-label');
    expect(generatedLocalKind('helper', true)).toBeUndefined();
    expect(generatedLocalKind('foo.constprop.0', true)).toBeUndefined();
  });

  it('parses gcc clone suffixes', () => {
    expect(parseClone('selftest_mix.constprop.0')).toEqual({ base: 'selftest_mix', suffix: '.constprop.0' });
    expect(parseClone('hvm_unmap_guest_frame.part.0.cold')).toEqual({ base: 'hvm_unmap_guest_frame', suffix: '.part.0.cold' });
    expect(parseClone('selftest_cold.cold')).toEqual({ base: 'selftest_cold', suffix: '.cold' });
    expect(parseClone('CSWTCH.15')).toBeUndefined();
    expect(parseClone('helper')).toBeUndefined();
  });

  it("splits Xen's path#name", () => {
    expect([plainName('common/unzstd.c#CSWTCH.220'), namePath('common/unzstd.c#CSWTCH.220')]).toEqual(['CSWTCH.220', 'common/unzstd.c']);
    expect([plainName('xen_extra_version'), namePath('xen_extra_version')]).toEqual(['xen_extra_version', undefined]);
  });
});

describe('compiler records', () => {
  it('reads .comment strings and picks the compilers', () => {
    const data = new TextEncoder().encode('\0GCC: (Debian 12.2.0-14+deb12u1) 12.2.0\0Linker: LLD 16\0GCC: (Debian 12.2.0-14+deb12u1) 12.2.0\0');
    expect(sectionStrings(data)).toEqual(['GCC: (Debian 12.2.0-14+deb12u1) 12.2.0', 'Linker: LLD 16']);
    expect(compilers(sectionStrings(data))).toEqual(['GCC: (Debian 12.2.0-14+deb12u1) 12.2.0']);
  });

  it('knows when recorded switches rule out -fipa-ra', () => {
    expect(ipaRaDisabled(undefined)).toBeUndefined();
    expect(ipaRaDisabled(['GNU C17 12.2.0 -m64 -O2 -flive-patching=inline-clone'])).toBe(true);
    expect(ipaRaDisabled(['GNU C17 12.2.0 -O2 -fno-ipa-ra'])).toBe(true);
    expect(ipaRaDisabled(['GNU C17 12.2.0 -O2 -fipa-ra'])).toBe(false);
    expect(ipaRaDisabled(['GNU C17 12.2.0 -O2 -fno-ipa-ra', 'GNU C17 12.2.0 -O2'])).toBe(false);
  });
});

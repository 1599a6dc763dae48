// Successful uploads of hand-built payloads: exact layout, relocated bytes, old_addr write-back, hooks,
// sorted exception table, alternatives, and the payload symbol table.
import { describe, expect, it } from 'vitest';
import {
  R_X86_64_64, R_X86_64_NONE, R_X86_64_PC32, R_X86_64_PLT32, SHF_MERGE, SHN_ABS, SHT_NOBITS, SHT_PROGBITS,
  STB_GLOBAL, STB_LOCAL, STT_FUNC, STT_OBJECT,
} from '../../../loader/elf/index.ts';
import { ALT_FLAG_NOT } from '../../../loader/abi.ts';
import { preparePayload, type PreparedPayload } from '../../../loader/livepatch/upload/index.ts';
import { put32 } from '../../elf/writer.ts';
import {
  A, AX, WA, XEN_EXTRA_VERSION, addAlternatives, addExTable, addUndef, baseSpec, buildPayload, dropReloc, funcRecord,
  nopFunc, oldAddrTo, section, type AltEntry, type PayloadSpec,
} from './builder.ts';
import { VMAP_START, X86_FEATURE_ALWAYS, X86_FEATURE_XEN_SMAP, type FakeContext } from './context.ts';
import { ENDBR32_FN, ENDBR_FN, FAR_FN, POISON_FN, xenContext } from './fake-xen.ts';

const BASE = VMAP_START;
const RW = BASE + 0x1000n;
const RO = BASE + 0x2000n;

function upload(change: (s: PayloadSpec) => void = () => {}, setup: (c: FakeContext) => void = () => {}, name = 'p'): { p: PreparedPayload; ctx: FakeContext } {
  const s = baseSpec();
  change(s);
  const ctx = xenContext();
  setup(ctx);
  return { p: preparePayload(name, buildPayload(s).bytes, ctx), ctx };
}

const at = (p: PreparedPayload, address: bigint, length: number): Uint8Array =>
  Uint8Array.from(p.image.subarray(Number(address - p.base), Number(address - p.base) + length));
const s32 = (p: PreparedPayload, address: bigint): number => p.image.readInt32LE(Number(address - p.base));
const u64 = (p: PreparedPayload, address: bigint): bigint => p.image.readBigUInt64LE(Number(address - p.base));
const addrOf = (p: PreparedPayload, name: string): bigint => p.sections.find((s) => s.name === name)!.address;
const rel32 = (target: bigint, next: bigint): number => Number(BigInt.asIntN(32, target - next));

describe('layout (move_payload)', () => {
  it('packs text, rw and ro in header order with ROUNDUP(offset, sh_addralign), in one reservation', () => {
    const { p, ctx } = upload();
    expect(ctx.reserveCalls).toEqual([3]);
    expect(p.base).toBe(BASE);
    expect(p.pages).toBe(3);
    expect(p.image.length).toBe(3 * 4096);
    expect(p.text).toEqual({ address: BASE, size: 16 });
    expect(p.rw).toEqual({ address: RW, size: 104 });
    expect(p.ro).toEqual({ address: RO, size: 140 });
    expect(p.sections.map((s) => [s.index, s.name, s.address - BASE, s.size])).toEqual([
      [1, '.text.new_fn', 0n, 16],
      [2, '.rodata.str1.1', 0x2000n, 30],
      [3, '.livepatch.funcs', 0x1000n, 104],
      [4, '.note.gnu.build-id', 0x2020n, 36], // 30 rounded up to the note's 4-byte alignment
      [5, '.livepatch.depends', 0x2044n, 36],
      [6, '.livepatch.xen_depends', 0x2068n, 36],
    ]);
    expect(p.name).toBe('p');
  });

  it('places zero-size sections too, and copies nothing for NOBITS', () => {
    const { p } = upload((s) => {
      s.sections.unshift({ name: '.text', type: SHT_PROGBITS, flags: AX, data: new Uint8Array(0), addralign: 1n });
      s.sections.push({ name: '.data', type: SHT_PROGBITS, flags: WA, data: new Uint8Array(0), addralign: 1n });
      s.sections.push({ name: '.bss.cnt', type: SHT_NOBITS, flags: WA, size: 12, addralign: 16n });
      s.sections.push({ name: '.rodata.cst', type: SHT_PROGBITS, flags: A, data: Uint8Array.of(1, 2, 3), addralign: 64n });
    });
    expect(addrOf(p, '.text')).toBe(BASE);
    expect(addrOf(p, '.text.new_fn')).toBe(BASE);
    expect(addrOf(p, '.data')).toBe(RW + 104n);
    expect(addrOf(p, '.bss.cnt')).toBe(RW + 112n);
    expect(addrOf(p, '.rodata.cst')).toBe(RO + 0xc0n);
    expect(p.rw.size).toBe(124);
    expect(p.ro.size).toBe(0xc3);
    expect(at(p, RW + 112n, 12)).toEqual(new Uint8Array(12));
    expect(at(p, RO + 0xc0n, 3)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it("lays out an sh_addralign 0 section as Xen does: ROUNDUP(x, 0) is 0, the normal place for the first of its region", () => {
    const { p } = upload((s) => { section(s, '.rodata.str1.1').addralign = 0n; });
    // By hand: ROUNDUP(0, 0) = 0, running size 30; the note (align 4) then goes to ROUNDUP(30, 4) = 0x20.
    expect(addrOf(p, '.rodata.str1.1')).toBe(RO);
    expect(addrOf(p, '.note.gnu.build-id')).toBe(RO + 0x20n);
    expect(p.ro.size).toBe(140);
    expect(at(p, RO, 17)).toEqual(new TextEncoder().encode('xen_extra_version'));
  });

  it('starts rw and ro on fresh pages after large regions', () => {
    const { p, ctx } = upload((s) => {
      s.sections.push({ name: '.text.big', type: SHT_PROGBITS, flags: AX, data: new Uint8Array(0x1001), addralign: 16n });
    });
    expect(p.text.size).toBe(0x1011);
    expect(p.rw.address).toBe(BASE + 0x2000n);
    expect(p.ro.address).toBe(BASE + 0x3000n);
    expect(ctx.reserveCalls).toEqual([4]);
  });

  it('reserves one page even when nothing is SHF_ALLOC (then fails on the unloaded funcs)', () => {
    const s = baseSpec();
    for (const sec of s.sections) sec.flags = 0n;
    const ctx = xenContext();
    expect(() => preparePayload('p', buildPayload(s).bytes, ctx)).toThrow('(.livepatch.funcs) is not SHF_ALLOC');
    expect(ctx.reserveCalls).toEqual([1]);
  });

  it('ignores a wrapped sh_offset + sh_size in a section nobody reads, as Xen does', () => {
    const b = buildPayload((() => {
      const s = baseSpec();
      s.sections.push({ name: '.comment', type: SHT_PROGBITS, data: new Uint8Array(4) });
      return s;
    })());
    const bytes = b.bytes.slice();
    const dv = new DataView(bytes.buffer);
    const off = dv.getBigUint64(b.shdr('.comment') + 24, true);
    dv.setBigUint64(b.shdr('.comment') + 32, (1n << 64n) - off + 2n, true);
    expect(preparePayload('p', bytes, xenContext()).funcs).toHaveLength(1);
  });

  it('is safe to re-apply only without writable data other than .livepatch.funcs', () => {
    expect(upload().p.safeToReapply).toBe(true);
    const emptyData = (s: PayloadSpec) => s.sections.push({ name: '.data', type: SHT_PROGBITS, flags: WA, data: new Uint8Array(0), addralign: 1n });
    expect(upload(emptyData).p.safeToReapply).toBe(true);
    expect(upload((s) => s.sections.push({ name: '.bss', type: SHT_NOBITS, flags: WA, size: 8, addralign: 8n })).p.safeToReapply).toBe(false);
    const data = (s: PayloadSpec) => s.sections.push({ name: '.data', type: SHT_PROGBITS, flags: WA, data: new Uint8Array(4), addralign: 4n });
    expect(upload(data).p.safeToReapply).toBe(false);
    expect(upload((s) => { section(s, '.livepatch.funcs').flags = A; }).p.safeToReapply).toBe(true);
    expect(upload((s) => { section(s, '.livepatch.funcs').flags = A; data(s); }).p.safeToReapply).toBe(false);
  });
});

describe('symbols and relocations', () => {
  it('encodes PLT32/PC32/64 relocations at final addresses', () => {
    const { p } = upload();
    expect(at(p, BASE, 1)).toEqual(Uint8Array.of(0xe8));
    expect(s32(p, BASE + 1n)).toBe(rel32(XEN_EXTRA_VERSION, BASE + 5n)); // call xen_extra_version
    expect(s32(p, BASE + 8n)).toBe(rel32(RO + 18n, BASE + 12n)); // lea "Hello World"(%rip)
    expect(u64(p, RW)).toBe(RO); // name -> "xen_extra_version"
    expect(u64(p, RW + 8n)).toBe(BASE); // new_addr -> new_fn
    expect(u64(p, RW + 16n)).toBe(XEN_EXTRA_VERSION);
  });

  it('resolves undefined symbols against loaded payloads when Xen does not have them', () => {
    const other = 0xffff82d0405c0010n;
    const { p } = upload(() => {}, (c) => {
      c.xenSymbols.delete('xen_extra_version');
      c.payloadSymbols.set('xen_extra_version', other);
      c.memory.set(other, new Uint8Array(16).fill(0x90));
    });
    expect(s32(p, BASE + 1n)).toBe(rel32(other, BASE + 5n));
    expect(p.funcs[0]!.oldAddr).toBe(other);
  });

  it("prefers Xen's symbol over a payload's", () => {
    const { p } = upload(() => {}, (c) => c.payloadSymbols.set('xen_extra_version', 0xffff82d0405c0010n));
    expect(p.funcs[0]!.oldAddr).toBe(XEN_EXTRA_VERSION);
  });

  it('skips R_X86_64_NONE without bounds checks, and relocation sections that Xen ignores', () => {
    const { p } = upload((s) => {
      s.relocs.push({ target: '.text.new_fn', offset: 0xffffn, type: R_X86_64_NONE, symbol: 'new_fn' });
      s.sections.push({ name: '.comment', type: SHT_PROGBITS, data: new Uint8Array(8) });
      s.relocs.push({ target: '.comment', offset: 0n, type: 99, symbol: 999 }); // non-ALLOC target: never looked at
    });
    expect(p.funcs).toHaveLength(1);
  });

  it('skips a relocation section whose sh_info is out of range', () => {
    const b = buildPayload(baseSpec());
    const bytes = b.bytes.slice();
    put32(bytes, b.shdr('.rela.text.new_fn') + 44, 99);
    const p = preparePayload('p', bytes, xenContext());
    expect(at(p, BASE + 1n, 4)).toEqual(new Uint8Array(4));
  });

  it('keeps ABS symbols unchanged and accepts FreeBSD OSABI and a 127-character name', () => {
    const b = buildPayload((() => {
      const s = baseSpec();
      s.symbols.push({ name: 'abs_sym', bind: STB_GLOBAL, section: SHN_ABS, value: 0x1234n });
      s.relocs.push({ target: '.livepatch.funcs', offset: 40n, type: R_X86_64_64, symbol: 'abs_sym', addend: 1n });
      return s;
    })());
    const bytes = b.bytes.slice();
    bytes[7] = 9;
    const name = 'n'.repeat(127);
    const p = preparePayload(name, bytes, xenContext());
    expect(p.name).toBe(name);
    expect(u64(p, RW + 40n)).toBe(0x1235n);
    expect(p.symbols.map((s) => s.name)).not.toContain('abs_sym');
  });
});

describe('.livepatch.funcs', () => {
  it('parses the record and its expectation', () => {
    const { p } = upload((s) => { section(s, '.livepatch.funcs').data = funcRecord({ newSize: 13, oldSize: 12, expect: [0x11, 0x48, 0x8d, 0x05, 0x18, 0xba, 0x16, 0x00, 0xe9] }); });
    expect(p.funcsAddress).toBe(RW);
    const f = p.funcs[0]!;
    expect(f).toMatchObject({
      index: 0, recordAddress: RW, name: 'xen_extra_version', nameAddress: RO, newAddr: BASE, oldAddr: XEN_EXTRA_VERSION,
      newSize: 13, oldSize: 12, version: 2,
    });
    expect(f.expect).toMatchObject({ enabled: true, len: 8, rsv: 0 });
    expect(f.expect.data.subarray(0, 9)).toEqual(Uint8Array.of(0x48, 0x8d, 0x05, 0x18, 0xba, 0x16, 0x00, 0xe9, 0));
    expect(f.expect.data.length).toBe(31);
  });

  it('resolves old_addr 0 by name and writes it back into the image', () => {
    const { p } = upload((s) => dropReloc(s, '.livepatch.funcs', 16n));
    expect(p.funcs[0]!.oldAddr).toBe(XEN_EXTRA_VERSION);
    expect(u64(p, RW + 16n)).toBe(XEN_EXTRA_VERSION);
  });

  it('accepts 9 bytes over an ENDBR64, and NOP patches at any distance', () => {
    const endbr = upload((s) => { section(s, '.livepatch.funcs').data = funcRecord({ oldSize: 9 }); oldAddrTo(s, 'common/livepatch.c#livepatch_printall'); }).p;
    expect(endbr.funcs[0]!.oldAddr).toBe(ENDBR_FN);
    const nop = upload((s) => { nopFunc(s, { newSize: 5, oldSize: 12 }); oldAddrTo(s, 'far_fn'); }).p;
    expect(nop.funcs[0]).toMatchObject({ newAddr: 0n, oldAddr: FAR_FN, newSize: 5 });
    // new_size 4 on ENDBR64 NOPs nothing at apply: allowed.
    const nop4 = upload((s) => { nopFunc(s, { newSize: 4, oldSize: 12 }); oldAddrTo(s, 'common/livepatch.c#livepatch_printall'); }).p;
    expect(nop4.funcs[0]!.newSize).toBe(4);
  });
});

describe('hooks', () => {
  it('exposes every slot and the pointer in it', () => {
    const single = ['preapply', 'apply', 'postapply', 'prerevert', 'revert', 'postrevert'];
    const { p } = upload((s) => {
      s.sections.push({ name: '.livepatch.hooks.load', type: SHT_PROGBITS, flags: A, data: new Uint8Array(16), addralign: 8n });
      s.sections.push({ name: '.livepatch.hooks.unload', type: SHT_PROGBITS, flags: WA, data: new Uint8Array(8), addralign: 8n });
      s.relocs.push({ target: '.livepatch.hooks.load', offset: 0n, type: R_X86_64_64, symbol: 'new_fn', addend: 1n });
      s.relocs.push({ target: '.livepatch.hooks.load', offset: 8n, type: R_X86_64_64, symbol: 'new_fn', addend: 2n });
      single.forEach((h, i) => {
        s.sections.push({ name: `.livepatch.hooks.${h}`, type: SHT_PROGBITS, flags: A, data: new Uint8Array(8), addralign: 8n });
        if (h !== 'revert') s.relocs.push({ target: `.livepatch.hooks.${h}`, offset: 0n, type: R_X86_64_64, symbol: 'new_fn', addend: BigInt(16 + i) });
      });
    });
    const load = addrOf(p, '.livepatch.hooks.load');
    expect(p.loadFuncs).toEqual({ address: load, count: 2 });
    expect(p.hooks.load).toEqual([{ slot: load, fn: BASE + 1n }, { slot: load + 8n, fn: BASE + 2n }]);
    const unload = addrOf(p, '.livepatch.hooks.unload');
    expect(p.unloadFuncs).toEqual({ address: unload, count: 1 });
    expect(p.hooks.unload).toEqual([{ slot: unload, fn: 0n }]);
    const keys = ['preApply', 'apply', 'postApply', 'preRevert', 'revert', 'postRevert'] as const;
    keys.forEach((k, i) => {
      const slot = addrOf(p, `.livepatch.hooks.${single[i]}`);
      expect(p.hooks[k]).toEqual({ slot, fn: k === 'revert' ? 0n : BASE + BigInt(16 + i) });
    });
    expect(p.safeToReapply).toBe(false); // the unload array is writable data
  });

  it('leaves a single hook in a non-ALLOC section disabled, as Xen does', () => {
    const { p } = upload((s) => s.sections.push({ name: '.livepatch.hooks.preapply', type: SHT_PROGBITS, data: new Uint8Array(8), addralign: 8n }));
    expect(p.hooks.preApply).toBeUndefined();
    expect(p.hooks).toEqual({ load: [], unload: [] });
    expect(p.loadFuncs).toBeUndefined();
  });
});

describe('build-ids, metadata, ex_table, bug frames', () => {
  it('reads the three notes and .modinfo', () => {
    const { p } = upload((s) => s.sections.push({ name: '.modinfo', type: SHT_PROGBITS, flags: A, data: new TextEncoder().encode('A=1\0B=2\0'), addralign: 1n }));
    expect(Buffer.from(p.buildId).toString('hex')).toBe('101112131415161718191a1b1c1d1e1f20212223');
    expect(Buffer.from(p.depends).toString('hex')).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3');
    expect(p.xenDepends).toEqual(p.depends);
    expect(new TextDecoder().decode(p.metadata)).toBe('A=1\0B=2\0');
  });

  it("judges an empty .modinfo by the byte before it, as Xen's data[len - 1] does", () => {
    const empty = { name: '.modinfo', type: SHT_PROGBITS, flags: A, data: new Uint8Array(0), addralign: 1n };
    // After "...Hello World\0": accepted.
    const { p } = upload((s) => s.sections.splice(2, 0, empty));
    expect(p.metadata).toEqual(new Uint8Array(0));
    // After the xen_depends note, whose last byte is 0xb3: refused.
    expect(() => upload((s) => s.sections.push(empty))).toThrow(/\(\.modinfo\): metadata does not end with a NUL byte/);
  });

  it('sorts .ex_table in place and re-encodes the self-relative fields', () => {
    const { p } = upload((s) => addExTable(s, [[12, 13], [1, 15], [8, 14], [1, 13]]));
    const table = addrOf(p, '.ex_table');
    expect(p.exTable!.address).toBe(table);
    const entries = p.exTable!.entries.map((e) => [e.addr - BASE, e.cont - BASE]);
    expect(entries.map((e) => e[0])).toEqual([1n, 1n, 8n, 12n]);
    expect(new Set(entries.map((e) => `${e[0]}:${e[1]}`))).toEqual(new Set(['12:13', '1:15', '8:14', '1:13']));
    p.exTable!.entries.forEach((e, i) => {
      const slot = table + BigInt(8 * i);
      expect(s32(p, slot)).toBe(Number(e.addr - slot));
      expect(s32(p, slot + 4n)).toBe(Number(e.cont - slot - 4n));
    });
  });

  it('decodes .bug_frames.N', () => {
    const { p } = upload((s) => {
      s.sections.push({ name: '.bug_frames.3', type: SHT_PROGBITS, flags: A, data: new Uint8Array(16), addralign: 4n });
      // loc -> new_fn+13 (line_hi 1), ptr -> "Hello World" (line_lo 5), msg -> "xen_extra_version": line 133.
      s.relocs.push({ target: '.bug_frames.3', offset: 0n, type: R_X86_64_PC32, symbol: 'new_fn', addend: 13n + (1n << 24n) });
      s.relocs.push({ target: '.bug_frames.3', offset: 4n, type: R_X86_64_PC32, symbol: '', addend: 18n + (5n << 24n) + 4n });
      s.relocs.push({ target: '.bug_frames.3', offset: 12n, type: R_X86_64_PC32, symbol: '', addend: 12n });
    });
    const frame = addrOf(p, '.bug_frames.3');
    expect(p.bugFrames).toEqual([{ type: 'assert', frame, address: BASE + 13n, line: 133, ptr: RO + 18n, msg: RO }]);
  });
});

describe('alternatives', () => {
  const site = (entries: AltEntry[], repl: number[], extra: (s: PayloadSpec) => void = () => {}) => (s: PayloadSpec) => {
    addAlternatives(s, Uint8Array.from(repl), entries);
    extra(s);
  };
  const altAt = (p: PreparedPayload, k: number): bigint => addrOf(p, '.altinstructions') + BigInt(14 * k);

  it('writes the replacement and pads it with ideal NOPs when the feature is present', () => {
    const { p } = upload(site([{ orig: 13, repl: 0, cpuid: X86_FEATURE_ALWAYS, origLen: 3, replLen: 1, padLen: 0 }], [0xf4]));
    expect(at(p, BASE + 13n, 3)).toEqual(Uint8Array.of(0xf4, 0x66, 0x90));
    expect(at(p, altAt(p, 0) + 13n, 1)).toEqual(Uint8Array.of(1)); // priv
    expect(p.alternativesApplied).toBe(1);
  });

  it('keeps the original when the feature is absent; padding is rewritten only when toolchain NOPs are not ideal', () => {
    const entry = { orig: 12, repl: 0, cpuid: X86_FEATURE_XEN_SMAP, origLen: 1, replLen: 3, padLen: 3 };
    const p6 = upload(site([entry], [0x0f, 0x01, 0xca])).p;
    expect(at(p6, BASE + 12n, 4)).toEqual(Uint8Array.of(0xc3, 0xcc, 0xcc, 0xcc));
    expect(at(p6, altAt(p6, 0) + 13n, 1)).toEqual(Uint8Array.of(1));
    expect(p6.alternativesApplied).toBe(0);
    const k8 = upload(site([entry], [0x0f, 0x01, 0xca]), (c) => { c.nopFlavour = 'k8'; }).p;
    expect(at(k8, BASE + 12n, 4)).toEqual(Uint8Array.of(0xc3, 0x66, 0x66, 0x90));
    const pad1 = upload(site([{ ...entry, origLen: 3, padLen: 1, replLen: 1 }], [0x90]), (c) => { c.nopFlavour = 'k8'; }).p;
    expect(at(pad1, BASE + 12n, 4)).toEqual(Uint8Array.of(0xc3, 0xcc, 0xcc, 0xcc));
    const smap = upload(site([entry], [0x0f, 0x01, 0xca]), (c) => c.cpuFeatures.add(X86_FEATURE_XEN_SMAP)).p;
    expect(at(smap, BASE + 12n, 4)).toEqual(Uint8Array.of(0x0f, 0x01, 0xca, 0x90)); // clac + NOP1
  });

  it('ALT_NOT(feature) (bit 15) replaces when the feature is absent, not when it is present', () => {
    const entry = { orig: 13, repl: 0, cpuid: ALT_FLAG_NOT | X86_FEATURE_XEN_SMAP, origLen: 3, replLen: 1, padLen: 0 };
    const absent = upload(site([entry], [0xf4])).p;
    expect(at(absent, BASE + 13n, 3)).toEqual(Uint8Array.of(0xf4, 0x66, 0x90)); // hlt + P6 NOP2
    expect(absent.alternativesApplied).toBe(1);
    const present = upload(site([entry], [0xf4]), (c) => c.cpuFeatures.add(X86_FEATURE_XEN_SMAP)).p;
    expect(at(present, BASE + 13n, 3)).toEqual(Uint8Array.of(0xcc, 0xcc, 0xcc));
    expect(present.alternativesApplied).toBe(0);
  });

  it('accepts X86_BUG feature numbers below NCAPINTS*32 = 0x2a0 (4.17.7: 21 words), e.g. 0x290', () => {
    // 0x290 = X86_SPEC_NO_LFENCE_ENTRY_PV, which Xen's own SPEC_CTRL entry code uses; absent on our CPU.
    const { p } = upload(site([{ orig: 13, repl: 0, cpuid: 0x290, origLen: 3, replLen: 1, padLen: 0 }], [0xf4]));
    expect(at(p, BASE + 13n, 3)).toEqual(Uint8Array.of(0xcc, 0xcc, 0xcc));
    expect(at(p, altAt(p, 0) + 13n, 1)).toEqual(Uint8Array.of(1)); // priv: handled
    const inverted = upload(site([{ orig: 13, repl: 0, cpuid: ALT_FLAG_NOT | 0x29f, origLen: 3, replLen: 1, padLen: 0 }], [0xf4])).p;
    expect(inverted.alternativesApplied).toBe(1);
  });

  it("pads with asm/nops.h's K8 NOPs on K8-NOP CPUs (K8_NOP5 = K8_NOP3,K8_NOP2 ...)", () => {
    // Typed from xen/arch/x86/include/asm/nops.h: K8_NOP1 90, NOP2 66 90, NOP3 66 66 90, NOP4 66 66 66 90.
    const k8: Record<number, number[]> = {
      5: [0x66, 0x66, 0x90, 0x66, 0x90],
      6: [0x66, 0x66, 0x90, 0x66, 0x66, 0x90],
      7: [0x66, 0x66, 0x66, 0x90, 0x66, 0x66, 0x90],
      8: [0x66, 0x66, 0x66, 0x90, 0x66, 0x66, 0x66, 0x90],
      9: [0x66, 0x66, 0x90, 0x66, 0x66, 0x90, 0x66, 0x66, 0x90],
    };
    for (const [pad, bytes] of Object.entries(k8)) {
      const n = Number(pad);
      const entry = { orig: 16 - n, repl: 0, cpuid: X86_FEATURE_XEN_SMAP, origLen: 0, replLen: 0, padLen: n };
      const { p } = upload(site([entry], [0x90]), (c) => { c.nopFlavour = 'k8'; });
      expect(at(p, BASE + BigInt(16 - n), n), `pad ${n}`).toEqual(Uint8Array.from(bytes));
    }
  });

  it('moves a relative CALL from the replacement to the site keeping its target', () => {
    // The 7-byte lea at new_fn+5 becomes `call xen_extra_version` + NOP2.
    const { p } = upload(site([{ orig: 5, repl: 0, cpuid: X86_FEATURE_ALWAYS, origLen: 7, replLen: 5, padLen: 0 }], [0xe8, 0, 0, 0, 0], (s) => {
      s.relocs.push({ target: '.altinstr_replacement', offset: 1n, type: R_X86_64_PLT32, symbol: 'xen_extra_version', addend: -4n });
    }));
    const repl = addrOf(p, '.altinstr_replacement');
    expect(s32(p, repl + 1n)).toBe(rel32(XEN_EXTRA_VERSION, repl + 5n));
    expect(at(p, BASE + 5n, 1)).toEqual(Uint8Array.of(0xe8));
    expect(s32(p, BASE + 6n)).toBe(rel32(XEN_EXTRA_VERSION, BASE + 10n));
    expect(at(p, BASE + 10n, 3)).toEqual(Uint8Array.of(0x66, 0x90, 0xc3));
  });

  it('handles several entries for one site through the first entry (base->priv)', () => {
    // Entry 0 patches 3 bytes; entry 1 (same site, absent feature, 2 bytes of padding) must not NOP over it.
    const entries: AltEntry[] = [
      { orig: 13, repl: 0, cpuid: X86_FEATURE_ALWAYS, origLen: 3, replLen: 3, padLen: 0 },
      { orig: 13, repl: 0, cpuid: X86_FEATURE_XEN_SMAP, origLen: 1, replLen: 1, padLen: 2 },
    ];
    const { p } = upload(site(entries, [0xf4, 0xf4, 0xf4]), (c) => { c.nopFlavour = 'k8'; });
    expect(at(p, BASE + 13n, 3)).toEqual(Uint8Array.of(0xf4, 0xf4, 0xf4));
    expect(at(p, altAt(p, 1) + 13n, 1)).toEqual(Uint8Array.of(0)); // skipped before priv is set
  });

  it('skips entries whose priv is already set', () => {
    const { p } = upload(site([{ orig: 13, repl: 0, cpuid: X86_FEATURE_ALWAYS, origLen: 3, replLen: 1, padLen: 0, priv: 7 }], [0xf4]));
    expect(at(p, BASE + 13n, 3)).toEqual(Uint8Array.of(0xcc, 0xcc, 0xcc));
    expect(p.alternativesApplied).toBe(0);
  });

  it('devirtualises altcalls, skipping the target ENDBR64 (CONFIG_XEN_IBT)', () => {
    const altcall = (ptr: string, modrm: number, opcode: number) => (s: PayloadSpec) => {
      s.sections.push({ name: '.text.call', type: SHT_PROGBITS, flags: AX, data: Uint8Array.of(0xff, modrm, 0, 0, 0, 0, 0xc3), addralign: 16n });
      addAlternatives(s, Uint8Array.of(opcode, 0xfb, 0xff, 0xff, 0xff), [{ orig: 0, repl: 0, cpuid: X86_FEATURE_ALWAYS, origLen: 6, replLen: 5, padLen: 0 }], '.text.call');
      addUndef(s, ptr);
      s.relocs.push({ target: '.text.call', offset: 2n, type: R_X86_64_PC32, symbol: ptr, addend: -4n });
    };
    const call = upload(altcall('xen_fnptr', 0x15, 0xe8)).p;
    const site0 = addrOf(call, '.text.call');
    expect(at(call, site0, 1)).toEqual(Uint8Array.of(0xe8));
    expect(s32(call, site0 + 1n)).toBe(rel32(ENDBR_FN + 4n, site0 + 5n));
    expect(at(call, site0 + 5n, 2)).toEqual(Uint8Array.of(0x90, 0xc3));
    const jmp = upload(altcall('xen_fnptr', 0x25, 0xe9)).p;
    expect(at(jmp, site0, 1)).toEqual(Uint8Array.of(0xe9));
    expect(s32(jmp, site0 + 1n)).toBe(rel32(ENDBR_FN + 4n, site0 + 5n));
    const nul = upload(altcall('null_fnptr', 0x15, 0xe8)).p;
    expect(at(nul, site0, 7)).toEqual(Uint8Array.of(0x0f, 0x0b, 0x0f, 0xff, 0xff, 0x90, 0xc3));
    // Only ENDBR64 itself is skipped (Xen's is_endbr64()): not its poisoned form, not ENDBR32, not other code.
    for (const [ptr, target] of [['poison_fnptr', POISON_FN], ['endbr32_fnptr', ENDBR32_FN], ['plain_fnptr', XEN_EXTRA_VERSION]] as const) {
      const p = upload(altcall(ptr, 0x15, 0xe8)).p;
      expect(s32(p, site0 + 1n), ptr).toBe(rel32(target, site0 + 5n));
    }
  });
});

describe('payload symbol table', () => {
  it('keeps defined ALLOC symbols (locals too), drops the rest, and marks overriding ones', () => {
    const long = 'l'.repeat(200);
    const { p } = upload((s) => {
      s.sections.push({ name: '.comment', type: SHT_PROGBITS, data: new Uint8Array(4) });
      s.sections.push({ name: '.rodata.plain', type: SHT_PROGBITS, flags: A, data: new Uint8Array(4), addralign: 1n });
      s.symbols.unshift(
        { name: 'in_comment', section: '.comment' },
        { name: '.Lkept', section: '.rodata.plain', value: 2n },
        { name: long, type: STT_OBJECT, bind: STB_LOCAL, section: '.rodata.plain', size: 4 },
      );
      s.symbols.push({ name: 'abs', bind: STB_GLOBAL, section: SHN_ABS, value: 5n });
    });
    expect(p.symbols).toEqual([
      { name: '.Lkept', address: RO + 140n + 2n, size: 0, type: 0, local: true, isNew: true },
      { name: 'l'.repeat(126), address: RO + 140n, size: 4, type: STT_OBJECT, local: true, isNew: true },
      { name: 'livepatch_xen_hello', address: RW, size: 104, type: STT_OBJECT, local: true, isNew: true },
      { name: 'new_fn', address: BASE, size: 13, type: STT_FUNC, local: false, isNew: false },
    ]);
  });

  it('does not check overriding symbols against Xen', () => {
    const { p } = upload(() => {}, (c) => c.xenSymbols.set('new_fn', 0xffff82d040300000n));
    expect(p.symbols.find((s) => s.name === 'new_fn')!.isNew).toBe(false);
  });

  it('drops .L symbols only in SHF_MERGE sections', () => {
    const { p } = upload((s) => { section(s, '.rodata.str1.1').flags = A; });
    expect(p.symbols.map((x) => x.name)).toContain('.LC0');
    const merged = upload((s) => { section(s, '.rodata.str1.1').flags = A | SHF_MERGE; }).p;
    expect(merged.symbols.map((x) => x.name)).not.toContain('.LC0');
  });
});

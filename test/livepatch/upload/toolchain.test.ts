// Payloads compiled with gcc and linked with `ld -r --build-id=sha1` like Xen's in-tree test payloads, uploaded
// against a fake xen-syms whose build-id they depend on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElfFile, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, STT_FUNC } from '../../../loader/elf/index.ts';
import { Errno, LivepatchError } from '../../../loader/livepatch/errno.ts';
import { preparePayload, type PreparedPayload } from '../../../loader/livepatch/upload/index.ts';
import { type FakeContext } from './context.ts';
import { CFLAGS, Toolchain } from './toolchain.ts';

let t: Toolchain;
let hello: Uint8Array;
let p: PreparedPayload;
let ctx: FakeContext;

beforeAll(() => {
  t = new Toolchain();
  hello = t.payload('hello', 'hello.c');
  ctx = t.context();
  p = preparePayload('xen_hello_world', hello, ctx);
});
afterAll(() => t.dispose());

const bytesAt = (q: PreparedPayload, address: bigint, length: number): Uint8Array =>
  Uint8Array.from(q.image.subarray(Number(address - q.base), Number(address - q.base) + length));
const symbol = (q: PreparedPayload, name: string): bigint => {
  const s = q.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`payload has no symbol ${name}`);
  return s.address;
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function expectError(fn: () => unknown, errno: number, message: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(LivepatchError);
  expect((thrown as LivepatchError).errno).toBe(errno);
  expect((thrown as LivepatchError).message).toMatch(message);
}

describe('hello payload (gcc + ld -r)', () => {
  it('lays out every ALLOC section aligned inside its region, data copied', () => {
    const elf = ElfFile.parse(hello);
    const alloc = elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0n);
    expect(p.sections.map((s) => s.name)).toEqual(alloc.map((s) => s.name));
    const regionOf = (flags: bigint) => ((flags & SHF_EXECINSTR) !== 0n ? p.text : (flags & SHF_WRITE) !== 0n ? p.rw : p.ro);
    for (const s of p.sections) {
      const hdr = elf.sections[s.index]!;
      expect(s.size).toBe(hdr.size);
      expect(s.address % (hdr.addralign || 1n)).toBe(0n);
      const r = regionOf(s.flags);
      expect(s.address >= r.address && s.address + BigInt(s.size) <= r.address + BigInt(r.size)).toBe(true);
    }
    expect(p.rw.address).toBe(p.base + ((BigInt(p.text.size) + 0xfffn) & ~0xfffn));
    expect(p.ro.address).toBe(p.rw.address + ((BigInt(p.rw.size) + 0xfffn) & ~0xfffn));
    expect(ctx.reserveCalls).toEqual([p.pages]);
    expect(p.pages).toBe(3);
    for (const name of ['.modinfo', '.livepatch.depends', '.note.gnu.build-id', '.rodata.str1.1']) {
      const s = p.sections.find((x) => x.name === name)!;
      expect(hex(bytesAt(p, s.address, s.size)), name).toBe(hex(elf.sectionData(elf.sections[s.index]!)));
    }
    expect(p.safeToReapply).toBe(false); // .bss counter and -fpic hook arrays are writable
  });

  it('takes the build-ids from the notes and matches the fake Xen', () => {
    expect(hex(p.buildId)).toBe(hex(ElfFile.parse(hello).buildId()!));
    expect(hex(p.depends)).toBe(hex(t.xen.buildId()!));
    expect(hex(p.xenDepends)).toBe(hex(t.xen.buildId()!));
    expect(new TextDecoder().decode(p.metadata)).toBe('LIVEPATCH_RULEZ\0');
  });

  it('resolves both funcs, writing the by-name old_addr back', () => {
    const [hw, minor] = p.funcs;
    expect(hw).toMatchObject({ name: 'xen_extra_version', oldAddr: t.symbol('xen_extra_version'), newAddr: symbol(p, 'xen_hello_world'), oldSize: 12 });
    expect(minor).toMatchObject({ name: 'xen_minor_version', oldAddr: t.symbol('xen_minor_version'), newAddr: symbol(p, 'xen_minor_new'), oldSize: 10 });
    expect(minor!.expect).toMatchObject({ enabled: true, len: 5, rsv: 0 });
    expect(hex(minor!.expect.data.subarray(0, 5))).toBe('b811000000');
    expect(p.image.readBigUInt64LE(Number(minor!.recordAddress + 16n - p.base))).toBe(t.symbol('xen_minor_version'));
    // xen_extra_version really starts as the fake Xen says: `lea ...(%rip),%rax`.
    expect(hex(ctx.peek(hw!.oldAddr, 3)!)).toBe('488d05');
  });

  it('collects the hooks', () => {
    expect(p.hooks.load.map((h) => h.fn)).toEqual([symbol(p, 'hi_func')]);
    expect(p.hooks.unload.map((h) => h.fn)).toEqual([symbol(p, 'check_fnc'), symbol(p, 'hi_func')]);
    expect(p.hooks.preApply!.fn).toBe(symbol(p, 'pre_apply'));
    expect(p.unloadFuncs!.count).toBe(2);
    expect(p.hooks.apply).toBeUndefined();
  });

  it('applies the alternatives (NOP8 -> NOP1, altcall) and leaves the absent SMAP site as emitted', () => {
    expect(p.alternativesApplied).toBe(2);
    expect(hex(bytesAt(p, symbol(p, 'xen_hello_world'), 8))).toBe('90' + '0f1f8000000000');
    const call = symbol(p, 'call_fnptr');
    const cfTarget = t.symbol('cf_target');
    expect(bytesAt(p, call, 1)[0]).toBe(0xe8);
    expect(p.image.readInt32LE(Number(call + 1n - p.base))).toBe(Number(cfTarget + 4n - (call + 5n)));
    expect(bytesAt(p, call, 6)[5]).toBe(0x90);
    expect(hex(bytesAt(p, symbol(p, 'smap_site'), 4))).toBe('0f1f00c3');
  });

  it('rewrites the SMAP padding when toolchain NOPs are not ideal', () => {
    const c = t.context();
    c.nopFlavour = 'k8';
    const q = preparePayload('xen_hello_world', hello, c);
    expect(hex(bytesAt(q, symbol(q, 'smap_site'), 4))).toBe('666690c3');
  });

  it('sorts the exception table', () => {
    const readTwo = symbol(p, 'read_two');
    const fixup = p.sections.find((s) => s.name === '.fixup')!;
    const entries = p.exTable!.entries;
    expect(entries.map((e) => e.addr - readTwo)).toEqual([0n, 3n]); // emitted as [3, 0]
    // Each fault keeps its own fixup: label 5 starts .fixup, label 6 follows it.
    expect(entries[0]!.cont).toBe(fixup.address);
    expect(entries[1]!.cont > fixup.address && entries[1]!.cont < fixup.address + BigInt(fixup.size)).toBe(true);
    const table = p.exTable!.address;
    expect(p.image.readInt32LE(Number(table - p.base))).toBe(Number(readTwo - table));
  });

  it('decodes the WARN frame', () => {
    const [frame] = p.bugFrames;
    expect(frame).toMatchObject({ type: 'warn', line: 300, address: symbol(p, 'warn_site') + 2n });
    expect(hex(bytesAt(p, frame!.address, 2))).toBe('0f0b');
    expect(new TextDecoder().decode(bytesAt(p, frame!.ptr, 9))).toBe('payload.c');
  });

  it('classifies symbols: the replacement functions override, everything else (statics too) is new', () => {
    const overriding = p.symbols.filter((s) => !s.isNew).map((s) => s.name).sort();
    expect(overriding).toEqual(['xen_hello_world', 'xen_minor_new']);
    const names = p.symbols.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['hi_func', 'cnt', 'hello_world_patch_this_fnc', 'read_two', 'livepatch_funcs']));
    expect(names.filter((n) => n.startsWith('.L') || n === '')).toEqual([]);
    expect(p.symbols.find((s) => s.name === 'hi_func')).toMatchObject({ local: true, type: STT_FUNC });
  });
});

describe('stacking and refusals with real objects', () => {
  const loaded = (): FakeContext => {
    const c = t.context();
    c.loadedNames.push('xen_hello_world');
    c.loadedBuildIds.push(p.buildId);
    for (const s of p.symbols) if (s.isNew) c.payloadSymbols.set(s.name, s.address);
    return c;
  };

  it('loads bye on top of hello: depends on hello, links against its new symbol', () => {
    t.noteObject('hello.livepatch', 'hello_note.o', '.livepatch.depends');
    const bye = preparePayload('xen_bye_world', t.payload('bye', 'bye.c', { objects: ['hello_note.o', 'xen_note.o'] }), loaded());
    expect(hex(bye.depends)).toBe(hex(p.buildId));
    expect(bye.funcs[0]!.oldAddr).toBe(t.symbol('xen_extra_version'));
    const fn = symbol(bye, 'xen_bye_world');
    const code = Uint8Array.from(bye.image.subarray(Number(fn - bye.base), Number(fn - bye.base) + 64));
    const call = code.findIndex((b, i) => b === 0xe8 && new DataView(code.buffer).getInt32(i + 1, true) === Number(symbol(p, 'read_two') - (fn + BigInt(i) + 5n)));
    expect(call).toBeGreaterThanOrEqual(0);
  });

  it('refuses a payload whose static shares a name with a loaded payload', () => {
    t.noteObject('hello.livepatch', 'hello_note.o', '.livepatch.depends');
    const clash = t.payload('bye_clash', 'bye.c', { objects: ['hello_note.o', 'xen_note.o'], cflags: [...CFLAGS, '-DCLASH'] });
    expectError(() => preparePayload('bye_clash', clash, loaded()), Errno.EEXIST, 'duplicate new symbol "hi_func"');
  });

  it('refuses the same payload again, by name and by build-id', () => {
    expectError(() => preparePayload('xen_hello_world', hello, loaded()), Errno.EEXIST, 'already loaded');
    expectError(() => preparePayload('hello_again', hello, loaded()), Errno.EEXIST, /build-id [0-9a-f]{40} is already loaded/);
  });

  it('refuses code built without -fpic (R_X86_64_32)', () => {
    const nopic = t.payload('nopic', 'hello.c', { cflags: CFLAGS.map((f) => (f === '-fpic' ? '-fno-pic' : f)) });
    const c = t.context();
    expectError(() => preparePayload('nopic', nopic, c), Errno.EOPNOTSUPP, 'unsupported relocation type 10');
    expect(c.reserveCalls).toHaveLength(1);
  });

  it('refuses a payload without .livepatch.xen_depends (xen_no_xen_buildid)', () => {
    const bytes = t.payload('no_xen_buildid', 'hello.c', { objects: ['note.o', 'modinfo.o'] });
    expectError(() => preparePayload('no_xen_buildid', bytes, t.context()), Errno.EINVAL, '.livepatch.xen_depends is missing');
  });

  it('refuses a payload built for another Xen, and needs a Xen build-id', () => {
    const other = t.context();
    other.xenBuildId = new Uint8Array(20).fill(7);
    expectError(() => preparePayload('x', hello, other), Errno.EINVAL, 'does not match the hypervisor build-id');
    const none = t.context();
    none.xenBuildId = undefined;
    expectError(() => preparePayload('x', hello, none), Errno.ENODATA, 'no build-id');
  });

  it('never fails with anything but a LivepatchError on corrupted payloads, and reserves at most once', () => {
    let seed = 0x5eed;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const shoff = Number(new DataView(hello.buffer, hello.byteOffset).getBigUint64(0x28, true));
    for (let i = 0; i < 1500; i++) {
      const b = hello.slice();
      // Bias towards the section headers, where most checks live.
      for (let k = 0; k <= rnd(4); k++) b[rnd(3) === 0 ? shoff + rnd(b.length - shoff) : rnd(b.length)] = rnd(256);
      const c = t.context();
      try {
        preparePayload('fuzz', b, c);
      } catch (e) {
        expect(e).toBeInstanceOf(LivepatchError);
      }
      expect(c.reserveCalls.length).toBeLessThanOrEqual(1);
    }
  });
});

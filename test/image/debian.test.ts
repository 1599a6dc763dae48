// Debian's real xen-syms 4.17 (installed by `make test`) loaded as an Image and run in the emulator.
import { expectCopyFromGuestFixedUp } from '../helpers/guest-copy.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { Machine } from '../../emulator/xen/machine.ts';
import { DEBIAN_IMAGE, Image, ImageError, prepareEnvironment } from '../../loader/image/index.ts';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const NM = new Map(execFileSync('nm', [DEBIAN_IMAGE], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n')
  .map((l) => l.split(' ')).filter((f) => f.length === 3).map(([a, , n]) => [n!, BigInt(`0x${a}`)]));
const nm = (name: string): bigint => NM.get(name)!;

let m: Machine;
let img: Image;
beforeAll(() => {
  m = new Machine();
  img = Image.load(m, DEBIAN_IMAGE);
  prepareEnvironment(img);
});
afterAll(() => m.close());

describe("Debian's xen-syms-4.17-amd64", () => {
  it('loads with its build-id, symbols and tables', () => {
    expect(img.buildIdHex).toBe('151b373fd64b321593bf987fd923cd10dabadac4');
    expect(img.symbol('xen_extra_version')).toBe(0xffff82d040234b20n);
    expect(img.symbol('common/version.c#build_id_len')).toBe(0xffff82d04045eac0n);
    expect(img.symbol('common/livepatch.c#livepatch_printall')).toBe(0xffff82d040221810n);
    // Counts from the linker's own markers (nm, not xlp): 8-byte ex_table entries and bug frames (spec §5.2, §5.4:
    // 267, 1, and 13/26/964/0; the file has no .bug_frames sections of its own, they are folded into .rodata).
    const span = (a: string, b: string): number => Number(nm(b) - nm(a)) / 8;
    expect(img.exceptionTable.length).toBe(span('__start___ex_table', '__stop___ex_table'));
    expect(img.exceptionTable.length).toBe(267);
    expect(img.preExceptionTable.length).toBe(span('__start___pre_ex_table', '__stop___pre_ex_table'));
    const frames = ['__start_bug_frames', '__stop_bug_frames_0', '__stop_bug_frames_1', '__stop_bug_frames_2', '__stop_bug_frames_3'];
    const [run_fn, warn, bug] = [0, 1, 2].map((t) => span(frames[t]!, frames[t + 1]!));
    expect(img.bugFrames.counts).toEqual({ run_fn, warn, bug, assert: span(frames[3]!, frames[4]!) / 2 }); // assert frames are 16 bytes
    expect(img.bugFrames.counts).toEqual({ run_fn: 13, warn: 26, bug: 964, assert: 0 });
    expect(img.text).toEqual({ start: 0xffff82d040200000n, end: 0xffff82d040360783n });
  });

  it('runs xen_extra_version and xen_minor_version for real', () => {
    expect(m.readCString(img.call('xen_extra_version'))).toBe('.7');
    expect(img.call('xen_minor_version')).toBe(17n);
    expect(img.call('xen_major_version')).toBe(4n);
  });

  it('sorts the exception table in memory as sort_exception_tables() does', () => {
    const start = img.symbol('__start___ex_table');
    const bytes = m.read(start, 267 * 8);
    let prev = 0n;
    for (let i = 0; i < 267; i++) {
      const addr = start + BigInt(i * 8) + BigInt(bytes.readInt32LE(i * 8));
      expect(addr >= prev).toBe(true);
      prev = addr;
    }
    // On disk the table is not sorted.
    const disk = img.elf.readAt(start, 267 * 8);
    expect(Buffer.from(disk).equals(bytes)).toBe(false);
  });

  it('takes a real #PF inside copy_from_guest_ll and resumes at its real .fixup continuation', () => {
    expectCopyFromGuestFixedUp(m, img);
  });

  it('decodes a real bug frame (spec §9: __trace_hypercall+0xe8, common/trace.c:847)', () => {
    const warn = [...img.bugFrames.all()].find((f) => f.type === 'warn')!;
    expect(m.symbolize(warn.address)).toBe('__trace_hypercall+0xe8');
    expect(img.bugFrames.find(warn.address)).toMatchObject({ type: 'warn', file: 'common/trace.c', line: 847 });
  });

  it('serves printk from TypeScript (the console is not initialised without boot)', () => {
    const fmt = 0xffff82d0c0004000n;
    m.map(fmt, 0x1000, 'rw');
    m.write(fmt, Buffer.from('<2>livepatch: %s: %d funcs at %pS (%#x)\n\0'));
    m.write(fmt + 0x100n, Buffer.from('xen_hello_world\0'));
    m.console.drain();
    m.call(img.symbol('printk'), [fmt, fmt + 0x100n, 3, img.symbol('xen_extra_version') + 4n, 255]);
    expect(m.console.drain()).toEqual(['livepatch: xen_hello_world: 3 funcs at xen_extra_version+0x4 (0xff)']);
  });

  it('reports an unfixable fault in real code with symbol and backtrace', () => {
    let err: unknown;
    try {
      img.call('xen_build_id_check', [0xdead0000n, 64, 0xdead1000n, 0xdead2000n]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GuestFault);
    const r = (err as GuestFault).report;
    expect(r.vector).toBe(14);
    expect(r.where).toMatch(/^xen_build_id_check\+0x/);
    expect(r.cr2! >= 0xdead0000n && r.cr2! < 0xdead3000n).toBe(true);
  });

  it('refuses a payload-like object or a non-x86 ELF with a typed error', () => {
    const bytes = Buffer.from(readFileSync(DEBIAN_IMAGE));
    bytes.writeUInt16LE(1, 16); // ET_REL
    expect(() => Image.load(new Machine(), bytes)).toThrow(ImageError);
    bytes.writeUInt16LE(2, 16);
    bytes.writeUInt16LE(3, 18); // EM_386
    expect(() => Image.load(new Machine(), bytes)).toThrow(/not x86-64/);
    expect(() => Image.load(new Machine(), bytes.subarray(0, 40))).toThrow(ImageError);
  });
});

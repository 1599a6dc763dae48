// Debian's real hypercall handlers run under xlp's hypervisor context (issue 12, item 2). Expected values come
// from Xen 4.17's public headers (XENVER_*, CONSOLEIO_*, errno values) and from readelf on the image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineSnapshot } from '../../emulator/cpu/cpu.ts';
import type { Machine } from '../../emulator/xen/machine.ts';
import { bootImage } from '../../loader/boot.ts';
import type { Image } from '../../loader/image/index.ts';
import { XenContext } from '../../emulator/xen/context/context.ts';

const XENVER_version = 0;
const XENVER_extraversion = 1;
const XENVER_build_id = 10;
const CONSOLEIO_write = 0;
const EPERM = -1n;
const EFAULT = -14n;
const ENOSYS = -38n;
/** `readelf -n /usr/lib/debug/boot/xen-syms-4.17-amd64`: Build ID */
const DEBIAN_BUILD_ID = '151b373fd64b321593bf987fd923cd10dabadac4';
const GUEST = 0x10000000n; // a PV guest page in the lower half
const UNMAPPED_GUEST = 0x20000000n;

let m: Machine;
let image: Image;
let ctx: XenContext;
let clean: MachineSnapshot;
const call = (fn: string, args: (bigint | number)[]): bigint => BigInt.asIntN(64, image.call(fn, args));

beforeAll(() => {
  ({ machine: m, image } = bootImage('debian'));
  ctx = XenContext.install(image);
  m.map(GUEST, 0x2000, 'rw');
  clean = m.snapshot();
});
afterAll(() => m.close());

describe("do_xen_version of Debian's xen-syms under the context", () => {
  it('XENVER_extraversion copies ".7" into the guest buffer (16 bytes, nothing after)', () => {
    m.restore(clean);
    m.fill(GUEST, 32, 0xaa);
    expect(call('do_xen_version', [XENVER_extraversion, GUEST])).toBe(0n);
    expect(m.read(GUEST, 32).toString('hex')).toBe(Buffer.concat([Buffer.from('.7'), Buffer.alloc(14), Buffer.alloc(16, 0xaa)]).toString('hex'));
  });

  it('XENVER_version returns 4.17 as 0x40011', () => {
    m.restore(clean);
    expect(call('do_xen_version', [XENVER_version, 0])).toBe(0x40011n);
  });

  it('XENVER_build_id copies the build-id for the control domain and refuses an ordinary one', () => {
    m.restore(clean);
    m.writeU32(GUEST, 64); // struct xen_build_id.len: room for the id
    ctx.use('control');
    expect(call('do_xen_version', [XENVER_build_id, GUEST])).toBe(20n);
    expect(m.read(GUEST + 4n, 20).toString('hex')).toBe(DEBIAN_BUILD_ID);
    m.restore(clean);
    m.writeU32(GUEST, 64);
    ctx.use('guest');
    expect(call('do_xen_version', [XENVER_build_id, GUEST])).toBe(EPERM);
    expect(m.read(GUEST + 4n, 20)).toEqual(Buffer.alloc(20));
  });

  it('an unknown sub-op is -ENOSYS for both domains, not a #PF', () => {
    for (const d of ['control', 'guest'] as const) {
      m.restore(clean);
      ctx.use(d);
      expect(call('do_xen_version', [99, GUEST])).toBe(ENOSYS);
    }
  });

  it("a bad guest pointer takes a #PF in Xen's copy_to_guest_ll that its own fixup turns into -EFAULT", () => {
    m.restore(clean);
    expect(call('do_xen_version', [XENVER_extraversion, UNMAPPED_GUEST])).toBe(EFAULT);
    expect(m.fixups).toHaveLength(1);
    const [fix] = m.fixups;
    expect(fix!.vector).toBe(14);
    expect(m.symbolize(fix!.rip)).toMatch(/^copy_to_guest_ll\+0x/);
    expect(m.symbolize(fix!.resume)).not.toMatch(/^copy_to_guest_ll\+/);
  });
});

describe('do_console_io', () => {
  it("CONSOLEIO_write from the hardware domain puts the text in Xen's console ring", () => {
    m.restore(clean);
    ctx.use('control');
    const before = ctx.consoleRing();
    const text = 'hello from dom0\n';
    m.write(GUEST, Buffer.from(text));
    expect(call('do_console_io', [CONSOLEIO_write, text.length, GUEST])).toBe(0n);
    expect(ctx.consoleRing()).toBe(before + text);
  });

  it('a write longer than one chunk reads the vCPU\'s vcpu_info and is not preempted', () => {
    m.restore(clean);
    const text = `${'x'.repeat(300)}\n`;
    m.write(GUEST, Buffer.from(text));
    expect(call('do_console_io', [CONSOLEIO_write, text.length, GUEST])).toBe(0n);
    expect(ctx.consoleRing().endsWith(text)).toBe(true);
  });

  it("an ordinary domain without is_console is refused by the dummy XSM policy (-EPERM) and the ring is unchanged", () => {
    m.restore(clean);
    ctx.use('guest');
    const before = ctx.consoleRing();
    const text = 'hi from domU\n';
    m.write(GUEST, Buffer.from(text));
    expect(call('do_console_io', [CONSOLEIO_write, text.length, GUEST])).toBe(EPERM);
    expect(ctx.consoleRing()).toBe(before);
  });
});

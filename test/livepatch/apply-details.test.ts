// Details of apply/revert that are easy to break silently, each with its expected bytes or state from Xen's
// source (arch/x86/livepatch.c arch_livepatch_apply, common/livepatch.c livepatch_do_action/revert_payload_tail,
// xen/include/xen/list.h).
import { afterEach, describe, expect, it } from 'vitest';
import { R_X86_64_64, SHT_PROGBITS, STB_GLOBAL, STT_FUNC } from '../../loader/elf/index.ts';
import { HostDead, type LivepatchHost } from '../../loader/livepatch/host.ts';
import { newHost, payloadBytes } from '../helpers/host.ts';
import { AX, WA, payloadFor, nopFunc, oldAddrTo, type PayloadSpec } from './upload/builder.ts';

/** common/livepatch.c#livepatch_printall in Debian's xen-syms starts with ENDBR64 (objdump: f3 0f 1e fa). */
const PRINTALL = 'common/livepatch.c#livepatch_printall';

let host: LivepatchHost | undefined;
afterEach(() => host?.machine.close());

const forHost = (h: LivepatchHost, change: (s: PayloadSpec) => void): Uint8Array => payloadFor(h.image.buildId, change);

function apply(h: LivepatchHost, name: string): void {
  h.action(name, 'APPLY');
  h.idle();
  expect(h.get(name)).toEqual({ state: 'APPLIED', rc: 0 });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('apply/revert details', () => {
  it('NOPs new_size - 4 bytes after an ENDBR64 (8a87b9a0fb), not new_size', () => {
    const h = (host = newHost('debian'));
    const at = h.image.symbol(PRINTALL);
    const before = h.machine.read(at, 16);
    h.upload('nop', forHost(h, (s) => {
      oldAddrTo(s, PRINTALL);
      nopFunc(s, { newSize: 9, oldSize: 12 });
    }));
    apply(h, 'nop');
    // ENDBR64 kept, then 9 - 4 = 5 bytes of P6 NOP5 (asm/nops.h: 0f 1f 44 00 00), the rest untouched.
    expect(hex(h.machine.read(at, 16))).toBe('f30f1efa' + '0f1f440000' + hex(before.subarray(9)));
    h.action('nop', 'REVERT');
    h.idle();
    expect(hex(h.machine.read(at, 16))).toBe(hex(before));
  });

  it('recognises the ENDBR64 poison (66 0f 1f 01, seal_endbr64) at apply and jumps after it', () => {
    const h = (host = newHost('debian'));
    const at = h.image.symbol(PRINTALL);
    h.machine.write(at, Uint8Array.of(0x66, 0x0f, 0x1f, 0x01)); // what Xen's boot does to unused ENDBRs
    h.upload('jmp', forHost(h, (s) => oldAddrTo(s, PRINTALL)));
    apply(h, 'jmp');
    const newAddr = h.payload('jmp').prepared.funcs[0]!.newAddr;
    const jmp = h.machine.read(at, 9);
    expect(hex(jmp.subarray(0, 5))).toBe('660f1f01e9');
    // E9 rel32 from the end of the jump at old_addr + 4.
    expect(Buffer.from(jmp).readInt32LE(5)).toBe(Number(newAddr - (at + 4n + 5n)));
  });

  it("poisons the payload's applied_list links on revert (list_del: LIST_POISON1/2 of xen/list.h)", () => {
    const h = (host = newHost('builtin'));
    h.upload('xen_hello_world', payloadBytes('builtin', 'xen_hello_world'));
    apply(h, 'xen_hello_world');
    h.action('xen_hello_world', 'REVERT');
    h.idle();
    const links = h.payload('xen_hello_world').struct.address + 88n; // struct payload.applied_list (spec §1.4)
    expect(h.machine.readU64(links)).toBe(0x0100100100100100n);
    expect(h.machine.readU64(links + 8n)).toBe(0x0200200200200200n);
  });

  it('panics when an apply action hook succeeds but leaves a function not applied (mixed state): host dead', () => {
    const h = (host = newHost('builtin'));
    h.upload('lazy', forHost(h, (s) => {
      // int apply_hook(struct payload *): return 0 without marking fstate[0].applied.
      s.sections.push({ name: '.text.apply_hook', type: SHT_PROGBITS, flags: AX, data: Uint8Array.of(0x31, 0xc0, 0xc3), addralign: 16n });
      s.sections.push({ name: '.livepatch.hooks.apply', type: SHT_PROGBITS, flags: WA, data: new Uint8Array(8), addralign: 8n });
      s.symbols.push({ name: 'apply_hook', type: STT_FUNC, bind: STB_GLOBAL, section: '.text.apply_hook', size: 3 });
      s.relocs.push({ target: '.livepatch.hooks.apply', offset: 0n, type: R_X86_64_64, symbol: 'apply_hook' });
    }));
    h.action('lazy', 'APPLY');
    expect(() => h.idle()).toThrow(/partially applied/);
    expect(() => h.get('lazy')).toThrow(HostDead);
  });
});

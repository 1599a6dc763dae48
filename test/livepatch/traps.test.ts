// Payload code that reaches Xen's trap paths (arch/x86/traps.c do_invalid_op, common/livepatch.c
// apply_payload), hand-built so each shows one behaviour, run on the builtin image:
//  - a NULL slot in .livepatch.hooks.load is called like any other (a #PF at 0: Xen dies);
//  - a WARN frame whose file pointer is neither in Xen nor in a payload goes to `die`: FATAL TRAP, vector 6;
//  - a file name longer than 50 characters prints as `...` and its last 47, and a WARN dumps the registers.
import { afterEach, describe, expect, it } from 'vitest';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { R_X86_64_PC32, SHT_PROGBITS, STB_GLOBAL, STT_FUNC } from '../../loader/elf/index.ts';
import { HostDead, type LivepatchHost } from '../../loader/livepatch/host.ts';
import { preparePayload } from '../../loader/livepatch/upload/index.ts';
import { expectRegisterDump } from '../helpers/execution-state.ts';
import { newHost } from '../helpers/host.ts';
import { A, AX, WA, payloadFor, type PayloadSpec } from './upload/builder.ts';
import { xenContext } from './upload/fake-xen.ts';

/** `ud2; mov $42, %eax; ret` */
const WARN_FN = Uint8Array.of(0x0f, 0x0b, 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3);
const LINE = 300; // line_hi = 300 >> 7 = 2, line_lo = 300 & 0x7f = 44
const LONG_FILE = 'arch/x86/some/deeply/nested/directory/of/payload/sources/warn_me.c'; // 66 characters

let host: LivepatchHost | undefined;
afterEach(() => host?.machine.close());

/** The base payload, linked for this host's image (its build-id in both depends notes). */
const forHost = (h: LivepatchHost, change: (s: PayloadSpec) => void): Uint8Array => payloadFor(h.image.buildId, change);

/** A function `warn_fn` with one WARN frame; the frame's file pointer is the string section, or `rawPtrDisp`. */
function withWarn(s: PayloadSpec, rawPtrDisp?: number): void {
  s.sections.push({ name: '.text.warn_fn', type: SHT_PROGBITS, flags: AX, data: WARN_FN, addralign: 16n });
  s.sections.push({ name: '.rodata.file', type: SHT_PROGBITS, flags: A, data: new TextEncoder().encode(`${LONG_FILE}\0`), addralign: 1n });
  const frame = new Uint8Array(8);
  if (rawPtrDisp !== undefined) new DataView(frame.buffer).setUint32(4, ((rawPtrDisp & 0xffffff) | ((LINE & 0x7f) << 24)) >>> 0, true);
  s.sections.push({ name: '.bug_frames.1', type: SHT_PROGBITS, flags: A, data: frame, addralign: 4n });
  s.symbols.push({ name: 'warn_fn', type: STT_FUNC, bind: STB_GLOBAL, section: '.text.warn_fn', size: WARN_FN.length });
  s.symbols.push({ name: 'file_str', section: '.rodata.file' });
  // .long (ud2 - frame) + (line_hi << 24); .long (file - frame) + (line_lo << 24): both from the frame's start.
  s.relocs.push({ target: '.bug_frames.1', offset: 0n, type: R_X86_64_PC32, symbol: 'warn_fn', addend: BigInt((LINE >> 7) << 24) });
  if (rawPtrDisp === undefined) {
    s.relocs.push({ target: '.bug_frames.1', offset: 4n, type: R_X86_64_PC32, symbol: 'file_str', addend: BigInt(((LINE & 0x7f) << 24) + 4) });
  }
}

describe('payload code on Xen trap paths', () => {
  it('calls a NULL slot of .livepatch.hooks.load like Xen: a #PF at 0 in hypervisor context, and the host is dead', () => {
    const h = (host = newHost('builtin'));
    const bytes = forHost(h, (s) => {
      s.sections.push({ name: '.livepatch.hooks.load', type: SHT_PROGBITS, flags: WA, data: new Uint8Array(8), addralign: 8n });
    });
    h.upload('nullhook', bytes);
    h.action('nullhook', 'APPLY');
    let fault: unknown;
    try {
      h.idle();
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(GuestFault);
    expect((fault as GuestFault).report.vector).toBe(14);
    expect((fault as GuestFault).report.rip).toBe(0n);
    expect(() => h.get('nullhook')).toThrow(HostDead);
  });

  it("prints a long file name as '...' and its last 47 characters, then the registers (show_execution_state)", () => {
    const h = (host = newHost('builtin'));
    h.upload('warn', forHost(h, (s) => withWarn(s)));
    h.machine.console.drain();
    expect(h.call('warn_fn')).toBe(42n); // WARN carries on after the ud2
    const lines = h.machine.console.drain();
    expect(lines[0]).toBe(`Xen WARN at ...${LONG_FILE.slice(-47)}:${LINE}`);
    expect(lines[0]).toBe('Xen WARN at ...y/nested/directory/of/payload/sources/warn_me.c:300');
    const ud2 = h.payload('warn').newSymbols.get('warn_fn')!;
    expectRegisterDump(lines.slice(1), ud2);
  });

  it('goes to die when the file pointer is neither in Xen nor in a payload: FATAL TRAP, vector 6', () => {
    const h = (host = newHost('builtin'));
    // Where the frame lands in the ro region (layout only depends on the payload), then a file pointer 16
    // bytes past the ro data: still in the payload's last page, but outside every region is_patch() checks.
    const probe = preparePayload('probe', forHost(h, (s) => withWarn(s, 0)), { ...xenContext(), xenBuildId: h.image.buildId });
    const frame = probe.sections.find((x) => x.name === '.bug_frames.1')!.address;
    const disp = Number(probe.ro.address + BigInt(probe.ro.size) + 16n - frame);
    h.upload('stray', forHost(h, (s) => withWarn(s, disp)));
    h.machine.console.drain();
    let fault: unknown;
    try {
      h.call('warn_fn');
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(GuestFault);
    expect((fault as GuestFault).report.vector).toBe(6);
    expect((fault as GuestFault).report.reason).toBe('FATAL TRAP: vector = 6 (invalid opcode)');
    expect(h.machine.console.drain().some((l) => l.startsWith('Xen WARN'))).toBe(false);
  });
});

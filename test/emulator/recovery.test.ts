// Issue 9 item 8: the machine recovers from whatever a fault leaves in flight, and a host-served function
// (Debian's printk) takes the #PF its guest code would on a bad pointer, as the builtin's real printk does.
import { thrown } from '../helpers/thrown.ts';
import { describe, expect, it } from 'vitest';
import { GuestFault } from '../../emulator/cpu/errors.ts';
import { bootImage } from '../../loader/boot.ts';
import { ElfFile } from '../../loader/elf/index.ts';
import { ORIGINAL_EXTRA, TARGETS, extraVersion, newHost, payloadBytes } from '../helpers/host.ts';

const BAD = 0xdead0000n; // lower half, never mapped

const faultOf = (fn: () => unknown): GuestFault => thrown(fn, GuestFault);

describe.each(TARGETS)('printk given an unmapped pointer for a string conversion, on %s', (target) => {
  it('is a guest #PF (read of a not-present page: error code 0, CR2 the pointer), and the next call runs', () => {
    const { machine: m, image } = bootImage(target);
    try {
      const fmt = m.scratchString('bad: %s\n');
      const f = faultOf(() => m.call(image.symbol('printk'), [fmt, BAD]));
      expect(f.report).toMatchObject({ vector: 14, cr2: BAD, errorCode: 0 });
      expect(f.report.where).toMatch(/^(printk|vsnprintf)\+0x/);
      expect(f.report.reason).toBe(`no exception-table entry in ${target}`);
      expect(m.readCString(m.call(image.symbol('xen_extra_version')))).toBe(ORIGINAL_EXTRA[target]);
    } finally {
      m.close();
    }
  });
});

/** xen_action_hooks with the addend of .rela.text.revert_hook entry 9 moved by 4 (found by fuzzing). */
function brokenRevertHook(): Buffer {
  const bytes = Buffer.from(payloadBytes('debian', 'xen_action_hooks'));
  const rela = ElfFile.parse(bytes).sections.find((s) => s.name === '.rela.text.revert_hook')!;
  const addend = rela.offset + 9 * 24 + 16; // Elf64_Rela: r_offset, r_info, r_addend
  bytes.writeBigInt64LE(bytes.readBigInt64LE(addend) + 4n, addend);
  return bytes;
}

describe('restore() after a hook faulted during REVERT (Debian)', () => {
  it('puts the machine back completely: later actions and calls run as on a fresh host', () => {
    const h = newHost('debian');
    try {
      const boot = h.snapshot();
      const bootHash = h.stateHash();
      h.upload('broken', brokenRevertHook());
      h.action('broken', 'APPLY', { nodeps: true });
      h.idle();
      expect(h.get('broken')).toEqual({ state: 'APPLIED', rc: 0 });
      h.action('broken', 'REVERT');
      expect(() => h.idle()).toThrow(/#PF/);
      h.restore(boot);
      expect(h.stateHash()).toBe(bootHash);
      h.upload('xen_hello_world', payloadBytes('debian', 'xen_hello_world'));
      h.action('xen_hello_world', 'APPLY');
      h.idle();
      expect(h.get('xen_hello_world')).toEqual({ state: 'APPLIED', rc: 0 });
      expect(extraVersion(h)).toBe('Hello World');
    } finally {
      h.machine.close();
    }
  });
});

// Debian 13's xen-syms 4.20 (fetched by the set-up into .deps/) loaded as an Image and run in the emulator.
// Expected values come from binutils (nm, readelf, objdump) run on the same file, not from xlp.
import { expectCopyFromGuestFixedUp } from '../helpers/guest-copy.ts';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/xen/machine.ts';
import { bootImage } from '../../loader/boot.ts';
import { DEBIAN_420_IMAGE, type Image } from '../../loader/image/index.ts';
import { infoLines } from '../../cli/commands/info.ts';

const tool = (cmd: string, ...args: string[]): string => execFileSync(cmd, [...args, DEBIAN_420_IMAGE], { encoding: 'utf8', maxBuffer: 256 << 20 });
const nm = new Map(tool('nm').split('\n').map((l) => l.split(' ')).filter((f) => f.length === 3).map(([a, , n]) => [n!, BigInt(`0x${a}`)]));
const sym = (n: string): bigint => nm.get(n)!;

let m: Machine;
let img: Image;
beforeAll(() => ({ machine: m, image: img } = bootImage('debian-4.20')));
afterAll(() => m.close());

describe("Debian's xen-syms-4.20-amd64", () => {
  it('loads with the build-id readelf shows and the symbols nm lists', () => {
    expect(img.buildIdHex).toBe(/Build ID: ([0-9a-f]+)/.exec(tool('readelf', '-n'))![1]);
    expect(img.symbol('xen_extra_version')).toBe(sym('xen_extra_version'));
    expect(img.symbol('common/livepatch.c#livepatch_printall')).toBe(sym('livepatch_printall'));
    expect(img.text).toEqual({ start: sym('_stext'), end: sym('_etext') });
  });

  it('has its Xen version read from the image itself', () => {
    // xen_extra_version: `lea rel32(%rip),%rax`; objdump names the string's address, objdump -s shows its bytes.
    const lea = /lea\s+0x[0-9a-f]+\(%rip\),%rax\s+# ([0-9a-f]+)/.exec(
      tool('objdump', '-d', `--start-address=0x${sym('xen_extra_version').toString(16)}`, `--stop-address=0x${(sym('xen_extra_version') + 8n).toString(16)}`))!;
    const at = BigInt(`0x${lea[1]}`);
    const dump = tool('objdump', '-s', '-j', '.rodata', `--start-address=0x${at.toString(16)}`, `--stop-address=0x${(at + 16n).toString(16)}`);
    const hexBytes = [...dump.matchAll(/^ [0-9a-f]+ ((?:[0-9a-f]{2,8} ?){1,4})/gm)].map((r) => r[1]!.replace(/ /g, '')).join('');
    const extra = Buffer.from(hexBytes, 'hex').toString('latin1').split('\0')[0]!;
    expect(img.version).toMatchObject({ major: 4, minor: 20, extra });
    expect(img.version.point).toBe(Number(/^\.(\d+)/.exec(extra)![1]));
    expect(infoLines(img)[1]).toBe(`xen version:  4.20${extra} (asked of the image: xen_major/minor/extra_version)`);
  });

  it('finds the bug frames of all four types ({start, stop} per type since 4.19)', () => {
    // asm/bug.h: a frame is two packed 32-bit words (8 bytes); an assert frame adds { 0, msg } (16 bytes).
    const count = (t: number): number => Number(sym(`__stop_bug_frames_${t}`) - sym(`__start_bug_frames_${t}`)) / (t === 3 ? 16 : 8);
    const c = img.bugFrames.counts;
    expect([c.run_fn, c.warn, c.bug, c.assert]).toEqual([0, 1, 2, 3].map(count));
    expect(c.bug).toBeGreaterThan(0);
  });

  it('takes a real #PF inside copy_from_guest_ll and resumes at its real .fixup continuation', () => {
    expectCopyFromGuestFixedUp(m, img);
  });
});

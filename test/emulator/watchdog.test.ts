// The wall-clock limit has two mechanisms (watchdog.ts): Unicorn's own timeout for a process's first
// NATIVE_RUNS runs, the shared watchdog thread after them. Both must turn an endless loop into a GuestTimeout
// and leave the machine usable. A fresh process (the compiled CPU layer) makes the count start at zero.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../emulator/cpu/install.ts';

const js = (p: string): string => JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, 'dist', p)).href);

// jmp . (EB FE), then mov $7,%eax; ret (B8 07 00 00 00 C3): bytes by hand from the SDM's encodings.
const SCRIPT = `
import { Cpu } from ${js('emulator/cpu/cpu.js')};
import { GuestTimeout } from ${js('emulator/cpu/errors.js')};
import { NATIVE_RUNS, watchdogThreadStarted } from ${js('emulator/cpu/watchdog.js')};
const c = new Cpu();
const spin = 0xffff830000000000n, seven = spin + 0x10n;
c.map(spin, 4096, 'rx');
c.write(spin, Buffer.from([0xeb, 0xfe]));
c.write(seven, Buffer.from([0xb8, 7, 0, 0, 0, 0xc3]));
const timesOut = () => { try { c.call(spin, [], { timeoutMs: 50 }); return 'returned'; } catch (e) { return e instanceof GuestTimeout ? 'timeout' : String(e); } };
const out = [timesOut(), watchdogThreadStarted(), String(c.call(seven))];
while (!watchdogThreadStarted()) c.call(seven);
out.push(timesOut(), String(c.call(seven)), NATIVE_RUNS);
console.log(JSON.stringify(out));
`;

describe('the wall-clock limit', () => {
  it("stops an endless loop with Unicorn's timeout first, with the watchdog thread later; the machine stays usable", () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [first, threadAtFirst, after1, second, after2, nativeRuns] = JSON.parse(r.stdout) as [string, boolean, string, string, string, number];
    expect([first, threadAtFirst, after1]).toEqual(['timeout', false, '7']);
    expect([second, after2]).toEqual(['timeout', '7']);
    expect(nativeRuns).toBeGreaterThan(0);
  });
});

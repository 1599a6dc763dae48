// Issue 9 item 7: processes ended by Node's exit while the watchdog thread was still inside koffi (loading the
// addon and Unicorn) aborted with `FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw`, exit 134, after
// finishing their work. 200 short runs of the compiled CPU layer, each exiting a little later than the one
// before (0-300 ms after the thread starts, across its start-up and load), must all exit 0 and silently. The
// thread starts at a process's NATIVE_RUNS + 1st run (the first ones use Unicorn's own timeout), so each
// script makes that many calls of a `ret` first.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../emulator/cpu/install.ts';

const CPU_JS = pathToFileURL(join(PACKAGE_ROOT, 'dist/emulator/cpu/cpu.js')).href;
const WATCHDOG_JS = pathToFileURL(join(PACKAGE_ROOT, 'dist/emulator/cpu/watchdog.js')).href;
const SCRIPT = [
  `import { Cpu } from ${JSON.stringify(CPU_JS)};`,
  `import { NATIVE_RUNS, watchdogThreadStarted } from ${JSON.stringify(WATCHDOG_JS)};`,
  'const c = new Cpu(); const f = 0xffff830000000000n; c.map(f, 4096, "rx"); c.write(f, Buffer.from([0xc3]));',
  'for (let i = 0; i <= NATIVE_RUNS; i++) c.call(f);',
  'if (!watchdogThreadStarted()) throw new Error("the watchdog thread did not start");',
  'setTimeout(() => process.exit(0), Number(process.argv[1]));',
].join('\n');

function run(delayMs: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, String(delayMs)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('process exit with the watchdog thread', () => {
  it('200 runs in a row exit 0 with nothing on stderr, whenever the exit comes', async () => {
    const delays = Array.from({ length: 200 }, (_, i) => (i * 3) / 2);
    const results: { delay: number; code: number | null; signal: string | null; stderr: string }[] = [];
    for (let i = 0; i < delays.length; i += 8) {
      const batch = delays.slice(i, i + 8);
      results.push(...(await Promise.all(batch.map(async (delay) => ({ delay, ...(await run(delay)) })))));
    }
    expect(results.filter((r) => r.code !== 0 || r.stderr !== '')).toEqual([]);
    expect(results).toHaveLength(200);
  }, 240_000);
});

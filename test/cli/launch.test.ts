// bin/xlp starts the bundle with the code cache the build trained (cli/launch.ts): this Node accepts it, and a
// damaged or missing cache only means compiling as usual (the command still runs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../loader/image/index.ts';

const BIN = join(REPO_ROOT, 'dist/bin');
// Inside the checkout, so that the copied bundle finds its packages as dist/bin's does.
const tmp = mkdtempSync(join(REPO_ROOT, 'build/test-launch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** launch() in a fresh Node (the test runner's own flags would change V8's verdict): [cacheRejected, exports]. */
function launched(bundle: string, cache?: string): [boolean, string[]] {
  const script = `const l = require(${JSON.stringify(join(BIN, 'launch.cjs'))}).launch(${JSON.stringify(bundle)}${cache ? `, ${JSON.stringify(cache)}` : ''});
    console.log(JSON.stringify([l.cacheRejected, Object.keys(l.exports).sort()]));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as [boolean, string[]];
}

describe('the code cache of the bundle', () => {
  it('is made by the build and taken by this Node', () => {
    const [rejected, exports] = launched(join(BIN, 'xlp.cjs'));
    expect(rejected).toBe(false);
    expect(exports).toContain('runCommand');
  });

  it('damaged or missing, is refused quietly and the bundle still loads; bin/xlp still runs', () => {
    const bundle = join(tmp, 'xlp.cjs');
    copyFileSync(join(BIN, 'xlp.cjs'), bundle);
    writeFileSync(join(tmp, 'xlp.cjs.cache'), Buffer.alloc(4096, 0x5a));
    expect(launched(bundle)).toEqual([true, expect.arrayContaining(['runCommand'])]);
    expect(launched(bundle, join(tmp, 'nosuch.cache'))[0]).toBe(true);
    const r = spawnSync(join(REPO_ROOT, 'bin/xlp'), ['--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
  });
});

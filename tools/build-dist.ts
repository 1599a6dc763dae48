// Compiles xlp's runtime sources into dist/ (tsconfig.build.json) when a source is newer than the last build,
// then bundles the command (and explore's worker) into dist/bin/: a command starts by loading one file instead
// of resolving ~150 modules one by one (~50 ms of CPU per command; issue 9's cost goal). The package's
// library entry stays the per-module tsc output. `make` runs it; so does vitest's global set-up, so tests that
// start bin/xlp never run stale JavaScript. Concurrent builds in one checkout take turns through a lock file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import lockfile from 'proper-lockfile';
import { BUILTIN_IMAGE, DEBIAN_IMAGE, PACKAGE_ROOT } from '../setup/paths.ts';

const DIST = join(PACKAGE_ROOT, 'dist');
/** What bin/xlp runs. Entry names matter: explore's pool starts `./worker.js` beside its own chunk. */
export const BUNDLE = join(DIST, 'bin');
const STAMP = join(DIST, '.tsbuildinfo');
const INPUTS = ['index.ts', 'setup', 'loader', 'emulator', 'cli', 'types', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestInput(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newestInput(join(path, e))));
}

function stale(): boolean {
  let built: number;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return INPUTS.some((p) => newestInput(join(PACKAGE_ROOT, p)) > built);
}

/**
 * Build dist/ if stale (or from scratch with `clean`: what `npm pack` ships has no leftovers of removed files;
 * `strict`: a type error fails the build).
 */
export async function buildDist(opts: { clean?: boolean; strict?: boolean } = {}): Promise<boolean> {
  const cache = join(BUNDLE, 'xlp.cjs.cache');
  // Up to date, with its code cache (a build on a machine that could not train yet trains again later).
  const current = (): boolean => !opts.clean && !stale() && existsSync(cache);
  if (current()) return false;
  mkdirSync(DIST, { recursive: true });
  const release = await lockfile.lock(DIST, {
    lockfilePath: join(PACKAGE_ROOT, '.dist.lock'),
    realpath: false,
    retries: { retries: 600, minTimeout: 100, maxTimeout: 200 },
  });
  try {
    if (current()) return false; // built by whoever held the lock
    if (!opts.clean && !stale()) {
      trainCodeCache();
      return false;
    }
    if (opts.clean) rmSync(DIST, { recursive: true, force: true });
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
    } catch (e) {
      // tsc still writes the JavaScript when it finds type errors (`make test` reports them through tsc --noEmit);
      // a work-in-progress type error must not stop every test that starts bin/xlp.
      if (opts.strict || !existsSync(join(DIST, 'cli/xlp.js'))) throw e;
      process.stderr.write('build-dist: dist/ written despite the type errors above\n');
    }
    await bundle();
    trainCodeCache();
    // tsc may leave its build info alone when no output changed; the stamp must still say "built after the inputs".
    const now = new Date();
    utimesSync(STAMP, now, now);
    return true;
  } finally {
    await release();
  }
}

/**
 * One CommonJS file per entry (xlp.cjs, worker.cjs that explore's pool starts beside it, launch.cjs that starts
 * xlp.cjs with its code cache for bin/xlp): Node loads it
 * without the ES module loader's machinery, which a command would otherwise pay for on every start. Packages
 * stay external (koffi is native; the others load as they are); `import.meta.url` becomes the bundle's URL.
 */
async function bundle(): Promise<void> {
  rmSync(BUNDLE, { recursive: true, force: true });
  await build({
    entryPoints: { xlp: join(DIST, 'cli/xlp.js'), worker: join(DIST, 'cli/explore/worker.js'), launch: join(DIST, 'cli/launch.js') },
    outdir: BUNDLE,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: { 'import.meta.url': 'xlpBundleUrl' },
    banner: { js: "const xlpBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
}

/**
 * V8's code cache for the bundle (cli/launch.ts), made by a training run: a call on a persistent host of
 * Debian's image, the commonest thing a test script does, so that what it compiles is cached (the set-up
 * installs the image before this build; the builtin one serves otherwise, and without either, no cache).
 */
function trainCodeCache(): void {
  const image = existsSync(DEBIAN_IMAGE) ? 'debian' : existsSync(BUILTIN_IMAGE) ? 'builtin' : undefined;
  if (!image) {
    process.stderr.write('build-dist: no image to train the code cache on (`make` installs Debian\'s): commands start without it\n');
    return;
  }
  const state = mkdtempSync(join(tmpdir(), 'xlp-build-'));
  const xlp = (args: string[], env: NodeJS.ProcessEnv = {}): void =>
    void execFileSync(process.execPath, [join(PACKAGE_ROOT, 'bin/xlp'), ...args, '--state', state], { env: { ...process.env, ...env }, stdio: 'ignore' });
  try {
    xlp(['boot', '--image', image]);
    xlp(['call', 'xen_extra_version', '--string'], { XLP_BUILD_CODE_CACHE: '1' });
    if (!existsSync(join(BUNDLE, 'xlp.cjs.cache'))) process.stderr.write('build-dist: the training run wrote no code cache\n');
  } catch (e) {
    // Only an optimisation: a machine without Unicorn yet (a package built before `xlp setup`) still builds.
    process.stderr.write(`build-dist: the code-cache training run failed (${(e as Error).message.split('\n')[0]}): commands start without it\n`);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

/** vitest's globalSetup. */
export default async function setup(): Promise<void> {
  await buildDist();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildDist({ clean: process.argv.includes('--clean'), strict: process.argv.includes('--strict') });
}

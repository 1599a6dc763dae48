// xlp as users get it: `npm pack`, then installed from the tarball alone into an empty project, as a library
// for a plain `node` ESM script and a vitest file, and globally as the `xlp` command (`npm install -g PATH`,
// with a temporary prefix). Offline: npm's cache holds the dependencies' tarballs (from `npm ci`) but not the
// registry's metadata, so the project gets a lock file made from ours (xlp's runtime dependencies only).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_UNICORN, PACKAGE_ROOT } from '../../emulator/cpu/install.ts';

const tmp = mkdtempSync(join(tmpdir(), 'xlp-package-'));
const project = join(tmp, 'project');
const globalPrefix = join(tmp, 'global');
interface PackageJson { version: string; dependencies: Record<string, string>; bin: Record<string, string> }
interface LockEntry { dev?: boolean }
let files: string[] = [];

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: 'pipe' });

/** Runs with the checkout's Unicorn (a network-free stand-in for `xlp setup`) unless told otherwise. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = { XLP_UNICORN_LIB: BUNDLED_UNICORN }) {
  const { XLP_UNICORN_LIB: _, ...base } = process.env;
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...base, ...env } });
}

beforeAll(() => {
  // --ignore-scripts: no clean rebuild of dist/ under other tests running bin/xlp (vitest's set-up built it).
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
    cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: 'pipe',
  })) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path);
  mkdirSync(project);
  const ours = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const lock = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const dependencies = { xlp: `file:../${packed[0]!.filename}` };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies },
    'node_modules/xlp': { version: ours.version, resolved: dependencies.xlp, dependencies: ours.dependencies, bin: ours.bin },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k.startsWith('node_modules/') && !v.dev) packages[k] = v;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
  npm(['ci'], project);
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds compiled JavaScript with types, the command, the builtin image and payloads; no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining([
      'dist/index.js', 'dist/index.d.ts', 'dist/bin/xlp.cjs', 'dist/bin/xlp.cjs.cache', 'dist/bin/launch.cjs', 'dist/bin/worker.cjs', 'bin/xlp', 'bin/package.json',
      'build/guest/xen-syms', 'build/payloads/builtin/xen_hello_world.livepatch', 'tools/fetch-trixie.sh', 'package.json',
    ]));
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(test|node_modules|guest|\.deps)\//.test(f) || f.includes('tsbuildinfo'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/xlp/package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(pkg.dependencies!)).not.toContain('tsx');
    expect(Object.keys(pkg.dependencies!)).not.toContain('keystone-wasm');
  });

  it('runs in plain node: boot the builtin image, call xen_extra_version, live-patch it', () => {
    writeFileSync(join(project, 'check.mjs'), [
      "import { boot, builtPayload } from 'xlp';",
      "const xen = boot('builtin');",
      "console.log(xen.callString('xen_extra_version'));",
      "xen.upload('hello', builtPayload('builtin', 'xen_hello_world'));",
      "xen.actionAndWait('hello', 'APPLY');",
      "console.log(xen.callString('xen_extra_version'));",
    ].join('\n'));
    const r = run(process.execPath, ['check.mjs'], project);
    expect(r.stderr).toBe('');
    // guest/common/version.c returns ".7-xlp"; the payload (guest/payloads/xen_hello_world_func.c) "Hello World".
    expect(r.stdout).toBe('.7-xlp\nHello World\n');
    expect(r.status).toBe(0);
  });

  it('gives TypeScript users its types (strict, NodeNext)', () => {
    writeFileSync(join(project, 'use.ts'), [
      "import { boot, type LivepatchHost } from 'xlp';",
      "const xen: LivepatchHost = boot('builtin');",
      "export const version: string = xen.callString('xen_extra_version');",
      "// @ts-expect-error: the action names are typed",
      "xen.actionAndWait('hello', 'APPLY_NOW');",
    ].join('\n'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true,
        types: ['node'], typeRoots: [join(PACKAGE_ROOT, 'node_modules/@types')],
      },
      files: ['use.ts'],
    }));
    const r = run(process.execPath, [join(PACKAGE_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], project);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('says to run `xlp setup` when Unicorn is not set up yet', () => {
    const r = run(process.execPath, ['check.mjs'], project, {});
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`Unicorn >= 2.1 not found at ${join(project, 'node_modules/xlp/.deps/unicorn')}`);
    expect(r.stderr).toContain('run `xlp setup`');
  });

  it('runs a vitest file against the installed package', () => {
    symlinkSync(join(PACKAGE_ROOT, 'node_modules/vitest'), join(project, 'node_modules/vitest'));
    writeFileSync(join(project, 'xen.test.mjs'), [
      "import { expect, test } from 'vitest';",
      "import { boot, LivepatchError } from 'xlp';",
      "test('the installed xlp', () => {",
      "  const xen = boot('builtin');",
      "  expect(xen.callString('xen_extra_version')).toBe('.7-xlp');",
      "  expect(() => xen.actionAndWait('nothere', 'APPLY')).toThrow(LivepatchError);",
      '});',
    ].join('\n'));
    const r = run(process.execPath, [join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--root', project], project);
    const text = (r.stdout + r.stderr).replace(/\u001b\[[0-9;]*m/g, ''); // vitest colours even into a pipe here
    expect(text).toMatch(/Tests\s+1 passed \(1\)/);
    expect(r.status).toBe(0);
  });
});

describe('the xlp command', () => {
  const env = { XLP_UNICORN_LIB: BUNDLED_UNICORN, PATH: `${join(globalPrefix, 'bin')}:${process.env.PATH}` };

  it('`npm install -g PATH` of the installed package puts xlp on PATH; `xlp setup` checks the set-up', () => {
    npm(['install', '-g', '--prefix', globalPrefix, join(project, 'node_modules/xlp')], tmp);
    expect(existsSync(join(globalPrefix, 'bin/xlp'))).toBe(true);
    const call = run('xlp', ['call', 'xen_extra_version', '--string', '--image', 'builtin'], tmp, env);
    expect([call.stdout, call.stderr, call.status]).toEqual(['".7-xlp"\n', '', 0]);
    const setup = run('xlp', ['setup'], tmp, env);
    expect(setup.stderr).toBe('');
    expect(setup.stdout).toContain(`setup: Unicorn 2.1: ${BUNDLED_UNICORN}\n`); // trixie's libunicorn2t64 is 2.1.x
    expect(setup.stdout).toContain(`setup: builtin image: ${join(project, 'node_modules/xlp/build/guest/xen-syms')}`);
    expect(setup.status).toBe(0);
  });

  it('`npm link` in this checkout puts its compiled CLI on PATH', () => {
    const prefix = join(tmp, 'linked');
    execFileSync('npm', ['link', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: PACKAGE_ROOT, stdio: 'pipe', env: { ...process.env, npm_config_prefix: prefix },
    });
    const r = run(join(prefix, 'bin/xlp'), ['call', 'xen_extra_version', '--string', '--image', 'builtin'], tmp);
    expect([r.stdout, r.stderr, r.status]).toEqual(['".7-xlp"\n', '', 0]);
  });
});

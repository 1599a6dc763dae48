// `xlp setup`: what xlp needs besides its own JavaScript, checked and set up where it can be without root:
// Unicorn 2.1 (Debian trixie's libunicorn2t64, unpacked under the package), the builtin guest image and its
// payloads (shipped in the npm package; built by guest/Makefile in a checkout), and on request Debian's
// Xen images (4.17 through apt-get, 4.20 unpacked under the package).
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { unicornLibraryPath, unicornVersion } from '../emulator/cpu/unicorn.ts';
import { BUILTIN_IMAGE, BUNDLED_UNICORN, DEBIAN_420_IMAGE, DEBIAN_IMAGE, PACKAGE_ROOT, PAYLOAD_DIR, UNICORN_DIR, XEN_420_DIR } from './paths.ts';

export interface SetupOptions {
  /** Also install Debian's Xen 4.17 image (apt-get, sudo when not root) and fetch 4.20's. */
  debian?: boolean;
  /** Progress and results, one line each. */
  say: (line: string) => void;
}

export class SetupError extends Error {
  override name = 'SetupError';
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs a set-up tool with its output on stderr (stdout stays xlp's). */
function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 2, 2] });
}

function fetchTrixie(pkg: string, dir: string): void {
  if (!writable(PACKAGE_ROOT)) {
    throw new SetupError(`${PACKAGE_ROOT} is not writable: run \`xlp setup\` as its owner (sudo for a global install)`);
  }
  run('bash', [join(PACKAGE_ROOT, 'tools/fetch-trixie.sh'), pkg, relative(PACKAGE_ROOT, dir)]);
}

function unicorn(say: SetupOptions['say']): void {
  const chosen = process.env.XLP_UNICORN_LIB;
  if (chosen && !existsSync(chosen)) throw new SetupError(`XLP_UNICORN_LIB names ${chosen}, which does not exist`);
  if (!chosen && !existsSync(BUNDLED_UNICORN)) fetchTrixie('libunicorn2t64', UNICORN_DIR);
  say(`setup: Unicorn ${unicornVersion()}: ${unicornLibraryPath()}`); // loading it checks the version
}

function builtin(say: SetupOptions['say']): void {
  const payloads = join(PAYLOAD_DIR, 'builtin');
  if (!existsSync(BUILTIN_IMAGE) || !existsSync(payloads)) {
    if (!existsSync(join(PACKAGE_ROOT, 'guest/Makefile'))) {
      throw new SetupError(`${BUILTIN_IMAGE} is missing from the package: reinstall xlp from a tarball made by \`npm pack\``);
    }
    run('make', ['--no-print-directory', '-C', 'guest']);
  }
  say(`setup: builtin image: ${BUILTIN_IMAGE}`);
}

function debian(opts: SetupOptions): void {
  if (!existsSync(DEBIAN_IMAGE) && opts.debian) {
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    const [cmd, ...args] = [...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', '--no-upgrade', 'xen-hypervisor-4.17-amd64-dbg'];
    run(cmd!, args);
  }
  if (!existsSync(DEBIAN_420_IMAGE) && opts.debian) fetchTrixie('xen-hypervisor-4.20-amd64-dbg', XEN_420_DIR);
  for (const [name, path] of [['debian', DEBIAN_IMAGE], ['debian-4.20', DEBIAN_420_IMAGE]] as const) {
    opts.say(existsSync(path) ? `setup: ${name} image: ${path}` : `setup: ${name} image: not installed (optional; \`xlp setup --debian\` installs it)`);
  }
}

/** Sets up what is missing; throws SetupError (or the failed tool's error) when something required cannot be. */
export function setup(opts: SetupOptions): void {
  unicorn(opts.say);
  builtin(opts.say);
  debian(opts);
}

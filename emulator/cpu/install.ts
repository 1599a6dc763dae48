// Where xlp is installed (a git checkout, or the package npm installed), found the same way whether this module
// runs from the TypeScript sources or from the compiled JavaScript in dist/; the set-up unpacks Unicorn under it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`xlp: no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
/** Trixie's libunicorn2t64, unpacked by the set-up (bookworm's 2.0.1 ignores page tables). */
export const UNICORN_DIR = join(PACKAGE_ROOT, '.deps/unicorn');
export const BUNDLED_UNICORN = join(UNICORN_DIR, 'usr/lib/x86_64-linux-gnu/libunicorn.so.2');

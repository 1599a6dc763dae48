// Where images come from: `builtin` (our guest, built by `make`), `debian` (xen-hypervisor-4.17-amd64-dbg),
// or any path to a Xen 4.17 xen-syms.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILTIN_IMAGE = join(REPO_ROOT, 'build/guest/xen-syms');
export const DEBIAN_IMAGE = '/usr/lib/debug/boot/xen-syms-4.17-amd64';

export function resolveImage(spec: string): string {
  const path = spec === 'builtin' ? BUILTIN_IMAGE : spec === 'debian' ? DEBIAN_IMAGE : spec;
  if (!existsSync(path)) {
    const hint =
      spec === 'builtin' ? 'run `make` to build the guest image'
      : spec === 'debian' ? 'run `make test` to install xen-hypervisor-4.17-amd64-dbg'
      : 'give the path of a Xen 4.17 xen-syms';
    throw new Error(`image ${spec} not found at ${path}: ${hint}`);
  }
  return path;
}

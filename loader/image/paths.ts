// Where images come from: `builtin` (our guest, built by `make`), `debian` (xen-hypervisor-4.17-amd64-dbg),
// `debian-4.20` (trixie's xen-hypervisor-4.20-amd64-dbg), or any path to a Xen xen-syms.
import { existsSync } from 'node:fs';
import { BUILTIN_IMAGE, DEBIAN_420_IMAGE, DEBIAN_IMAGE, PACKAGE_ROOT } from '../../setup/paths.ts';

export { BUILTIN_IMAGE, DEBIAN_420_IMAGE, DEBIAN_IMAGE };
/** The checkout or installed package xlp runs from. */
export const REPO_ROOT = PACKAGE_ROOT;

/** The images xlp knows by name, with where each comes from. */
export const NAMED_IMAGES: Readonly<Record<string, { path: string; missing: string }>> = {
  builtin: { path: BUILTIN_IMAGE, missing: 'run `xlp setup` (in a checkout: `make`) to build the guest image' },
  debian: { path: DEBIAN_IMAGE, missing: 'run `make test` to install xen-hypervisor-4.17-amd64-dbg' },
  'debian-4.20': { path: DEBIAN_420_IMAGE, missing: 'run `make test` to fetch xen-hypervisor-4.20-amd64-dbg into .deps/' },
};

export function resolveImage(spec: string): string {
  const named = Object.hasOwn(NAMED_IMAGES, spec) ? NAMED_IMAGES[spec] : undefined;
  const path = named?.path ?? spec;
  if (!existsSync(path)) {
    throw new Error(`image ${spec} not found at ${path}: ${named?.missing ?? 'give the path of a Xen xen-syms'}`);
  }
  return path;
}

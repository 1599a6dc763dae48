// Where xlp's own files live, under the package root (see emulator/cpu/install.ts).
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../emulator/cpu/install.ts';

export { BUNDLED_UNICORN, PACKAGE_ROOT, UNICORN_DIR } from '../emulator/cpu/install.ts';
/** The builtin guest image and the payloads that guest/Makefile builds. */
export const BUILD_DIR = join(PACKAGE_ROOT, 'build');
export const BUILTIN_IMAGE = join(BUILD_DIR, 'guest/xen-syms');
export const PAYLOAD_DIR = join(BUILD_DIR, 'payloads');
/** Debian's xen-hypervisor-4.17-amd64-dbg puts its xen-syms here. */
export const DEBIAN_IMAGE = '/usr/lib/debug/boot/xen-syms-4.17-amd64';
/** Where the set-up unpacks Debian 13's xen-hypervisor-4.20-amd64-dbg (never installed system-wide). */
export const XEN_420_DIR = join(PACKAGE_ROOT, '.deps/xen-4.20');
export const DEBIAN_420_IMAGE = join(XEN_420_DIR, 'usr/lib/debug/boot/xen-syms-4.20-amd64');

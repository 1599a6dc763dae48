// Live-patch hosts for tests: a freshly booted image with the payloads `make` built for it.
import { thrown } from './thrown.ts';
import { readFileSync } from 'node:fs';
import { bootImage } from '../../loader/boot.ts';
import { payloadPath } from '../../loader/livepatch/payload-files.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { type HostOptions, LivepatchHost } from '../../loader/livepatch/host.ts';

export type Target = 'builtin' | 'debian' | 'debian-4.20';
export const TARGETS: Target[] = ['builtin', 'debian', 'debian-4.20'];

export function payloadBytes(target: Target, name: string): Buffer {
  return readFileSync(payloadPath(target, name));
}

export function newHost(target: Target, opts?: HostOptions): LivepatchHost {
  return new LivepatchHost(bootImage(target), opts);
}

export function extraVersion(h: LivepatchHost): string {
  return h.machine.readCString(h.image.call('xen_extra_version'));
}

/** Xen 4.17 (ours follows 4.17; Debian 12) and 4.20 (Debian 13): what xen_minor_version() returns. */
export const MINOR_VERSION: Record<Target, number> = { builtin: 17, debian: 17, 'debian-4.20': 20 };

export const ORIGINAL_EXTRA: Record<Target, string> = { builtin: '.7-xlp', debian: '.7', 'debian-4.20': '.5-pre' };

/** The errno name a call fails with (throws if it does not fail with a LivepatchError). */
export function errnoOf(fn: () => unknown): string {
  return thrown(fn, LivepatchError).errnoName;
}

/** xen-livepatch's `load`: upload then apply; unload again if the apply fails. */
export function load(h: LivepatchHost, target: Target, name: string): void {
  h.upload(name, payloadBytes(target, name));
  try {
    h.action(name, 'APPLY');
    h.idle();
    const s = h.get(name);
    if (s.rc !== 0) throw new LivepatchError(-s.rc, `apply of ${name} finished with rc=${s.rc}`);
  } catch (e) {
    if (h.get(name).state === 'CHECKED') h.action(name, 'UNLOAD');
    throw e;
  }
}

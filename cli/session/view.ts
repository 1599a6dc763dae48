// The saved host as commands that do not run the guest see it (`list`, the console): read from the state file's
// view alone, without booting anything, so that such a command costs little more than starting Node.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { XenVersion } from '../../loader/image/version.ts';
import type { ListEntry } from '../../loader/livepatch/host.ts';
import { withDirLock } from './lock.ts';
import { HOST_FILE, SessionError, inspectDir } from './state-dir.ts';
import { readState, writeState } from './state-file.ts';

export interface HostView {
  readonly dir: string;
  readonly image: string;
  /** The Xen version the host's image reports, when the saved state has it. */
  readonly xen: XenVersion | undefined;
  /** Why the hypervisor died, if it did. */
  readonly dead: string | undefined;
  /** The hypervisor console, oldest line first. */
  readonly console: readonly string[];
  /** The payloads as LIST reports them; a dead host refuses. */
  list(): ListEntry[];
}

export const deadError = (dir: string, cause: string): SessionError =>
  new SessionError(`the hypervisor in ${dir} is dead (${cause}): run \`xlp boot\` or \`xlp reset\` to start a new one`);

export function isBooted(dir: string): boolean {
  return existsSync(join(dir, HOST_FILE));
}

/** The image a first command boots: $XLP_IMAGE, else builtin. */
export function defaultImage(): string {
  return process.env.XLP_IMAGE ?? 'builtin';
}

/** The image the host in `dir` was booted with, without booting it (undefined: none booted). */
export function bootedImage(dir: string): string | undefined {
  return isBooted(dir) ? viewHost(dir)?.image : undefined;
}

/** The saved host of `dir` without running it; undefined when `dir` holds none. */
export function viewHost(dir: string): HostView | undefined {
  const saved = inspectDir(dir) === 'ours' ? readState(dir, false) : undefined;
  if (!saved) return undefined;
  const v = saved.view;
  return {
    dir, image: v.image, xen: v.xen, dead: v.dead, console: v.console,
    list: () => {
      if (v.dead !== undefined) throw deadError(dir, v.dead);
      return v.list;
    },
  };
}

/** Drop the oldest `count` console lines (all by default), as `dmesg --clear` does; false when `dir` holds no host. */
export function clearConsole(dir: string, count = Infinity): boolean {
  if (inspectDir(dir) !== 'ours') return false;
  return withDirLock(dir, (lock) => {
    try {
      const saved = readState(dir, true);
      if (saved) writeState(dir, { ...saved, view: { ...saved.view, console: saved.view.console.slice(Math.min(count, saved.view.console.length)) } });
      return !!saved;
    } finally {
      lock.release();
    }
  });
}

// The persistent emulated host of the `xlp` verbs. Each command rebuilds the host the previous one saved: it
// boots the image, lays the saved guest pages over it, takes over the loader's recorded state, and checks the
// result against the saved checksum; then it saves the host it leaves (see state-file.ts). The cost does not
// depend on how many commands came before. Nothing that depends on wall-clock time is kept: a command that
// hits a time limit, or a guest call that faults, leaves the saved host as it was; a host that died (a panic,
// a fault in hypervisor context) is saved dead and refuses every command until `xlp boot` or `xlp reset`.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GuestTimeout } from '../../emulator/cpu/errors.ts';
import type { CallArg } from '../../emulator/cpu/arguments.ts';
import type { CallResult } from '../../emulator/cpu/cpu.ts';
import { type BootedImage, bootImage } from '../../loader/boot.ts';
import { resolveImage } from '../../loader/image/index.ts';
import type { ActionName } from '../../loader/livepatch/abi.ts';
import { type ActionOptions, type HostRecord, LivepatchHost } from '../../loader/livepatch/host.ts';
import { type DirLock, withDirLock } from './lock.ts';
import { HOST_FILE, SessionError, inspectDir, removeOwnFiles } from './state-dir.ts';
import { type SavedState, type SavedView, damagedError, readState, sameState, writeState } from './state-file.ts';
import { deadError, defaultImage } from './view.ts';

export { type HostView, clearConsole, viewHost } from './view.ts';

const PAGE = 4096;
/** Console characters kept, oldest dropped first (Xen keeps a bounded console ring too). */
const CONSOLE_KEEP = 64 * 1024;

const describe = (e: Error): string => `${e.name}: ${e.message.split('\n')[0]}`;

export class Session {
  private readonly log: string[];
  /** The host file this session was rebuilt from: a save that would write the same is skipped. */
  private loaded: SavedState | undefined;
  /** Why this command's effect is not kept (it hit a time limit, or a guest call faulted). */
  private discarded: string | undefined;

  private constructor(
    readonly dir: string,
    readonly image: string,
    readonly host: LivepatchHost,
    private lock: DirLock | undefined,
    log: string[],
  ) {
    this.log = log;
    host.machine.console.onLine((l) => this.log.push(l));
  }

  /** A fresh host in `dir`, replacing the host saved there (the directory must be new, empty, or xlp's). */
  static boot(dir: string, image: string): Session {
    const spec = imageSpec(image);
    return withDirLock(dir, (lock) => {
      const s = Session.fresh(dir, spec, lock);
      s.save();
      return s;
    });
  }

  /**
   * The host the last command left in `dir`; a fresh one of `image` (default $XLP_IMAGE or builtin) when `dir`
   * holds none. `write`: the command may change the host, so it holds the directory's lock until close().
   */
  static open(dir: string, opts: { write: boolean; image?: string }): Session {
    const image = opts.image ?? defaultImage();
    if (!opts.write) {
      const saved = inspectDir(dir) === 'ours' ? readState(dir, true) : undefined;
      return saved ? Session.rebuild(dir, saved, undefined) : Session.fresh(dir, imageSpec(image), undefined);
    }
    // The image a first command would boot is checked before the directory is claimed: a bad one touches nothing.
    const spec = inspectDir(dir) === 'ours' && existsSync(join(dir, HOST_FILE)) ? undefined : imageSpec(image);
    return withDirLock(dir, (lock) => {
      const saved = readState(dir, true);
      return saved ? Session.rebuild(dir, saved, lock) : Session.fresh(dir, spec ?? imageSpec(image), lock);
    });
  }

  /** Remove the host and xlp's files in `dir` (nothing else); false when there was none. */
  static reset(dir: string): boolean {
    if (inspectDir(dir) !== 'ours') return false;
    return withDirLock(dir, (lock) => {
      try {
        removeOwnFiles(dir);
      } finally {
        lock.release();
      }
      return true;
    });
  }

  private static fresh(dir: string, image: string, lock: DirLock | undefined): Session {
    const booted = bootImage(image);
    const log = booted.machine.console.drain();
    return Session.make(dir, image, booted, lock, log, () => undefined);
  }

  private static rebuild(dir: string, saved: SavedState, lock: DirLock | undefined): Session {
    const { view, host: h } = saved;
    if (view.dead !== undefined) throw deadError(dir, view.dead);
    const file = join(dir, HOST_FILE);
    let booted: BootedImage;
    try {
      booted = bootImage(view.image);
    } catch (e) {
      throw new SessionError(`the host in ${dir} runs ${view.image}, which cannot be booted any more (${(e as Error).message}): run \`xlp reset\``);
    }
    booted.machine.console.drain();
    return Session.make(dir, view.image, booted, lock, [...view.console], (s) => {
      s.loaded = saved;
      const found = s.host.image.buildIdHex;
      if (found !== view.buildId) {
        throw new SessionError(`the host in ${dir} was booted from ${view.image} with build-id ${view.buildId}, which now has ${found}: run \`xlp reset\``);
      }
      // The CPU is the fresh machine's: every top-level call starts from one defined CPU state anyway.
      try {
        s.host.machine.restoreFrames(h.machine.frames, saved.pages, h.machine.alloc, h.machine.scratchNext);
      } catch (e) {
        throw damagedError(file, (e as Error).message);
      }
      try {
        s.host.adopt(h.record as HostRecord);
      } catch (e) {
        throw damagedError(file, (e as Error).message);
      }
      if (h.checksum !== undefined ? s.host.stateChecksum() !== h.checksum : s.host.stateHash() !== h.stateHash) {
        throw new SessionError(`the host rebuilt from ${file} differs from the one saved (did ${view.image} change?): run \`xlp reset\``);
      }
    });
  }

  private static make(dir: string, image: string, booted: BootedImage, lock: DirLock | undefined, log: string[], init: (s: Session) => void): Session {
    try {
      booted.machine.markBaseline(); // the freshly booted image: only pages that differ from it are saved
      const s = new Session(dir, image, new LivepatchHost(booted), lock, log);
      init(s);
      return s;
    } catch (e) {
      booted.machine.close();
      throw e;
    }
  }

  /** The hypervisor console: what earlier commands left plus this command's lines. */
  get console(): readonly string[] {
    return this.log;
  }

  upload(name: string, bytes: Uint8Array): void {
    this.host.upload(name, bytes);
  }

  action(name: string, action: ActionName, opts: ActionOptions = {}): void {
    this.timed(() => this.host.action(name, action, opts));
  }

  idle(): void {
    this.timed(() => this.host.idle());
  }

  /** Call an image function; a fault or time-out leaves the saved host as before the call. */
  call(symbol: string, args: readonly CallArg[]): CallResult {
    try {
      return this.host.machine.callWith(this.host.image.symbol(symbol), args);
    } catch (e) {
      this.discarded = describe(e as Error);
      throw e;
    }
  }

  /** Where it stops depends on the wall clock: a time-out is never kept (even one that would kill the host). */
  private timed<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof GuestTimeout) this.discarded = describe(e);
      throw e;
    }
  }

  /**
   * The command failed with `e`: keep the host only if it died (saved dead, so that every later command says
   * so); otherwise nothing of this command is kept. Returns the error to report.
   */
  failed(e: unknown): unknown {
    if (this.host.deathCause && !this.discarded) {
      this.save();
      return e;
    }
    this.discarded ??= describe(e as Error);
    if (e instanceof GuestTimeout) return new SessionError(`${e.message}; nothing of this command was kept: the host is as it was before`);
    return e;
  }

  /** Save the host this command leaves (not when its effect is discarded). Needs the lock (opened for writing). */
  save(): void {
    if (!this.lock) throw new Error('Session.save() on a session opened read-only');
    if (this.discarded !== undefined) return;
    const m = this.host.machine;
    const frames = m.changedFrames();
    const ram = m.memory.bytes;
    let keep = this.log.length;
    for (let chars = 0; keep > 0 && chars + this.log[keep - 1]!.length < CONSOLE_KEEP; keep--) chars += this.log[keep - 1]!.length + 1;
    const dead = this.host.deathCause;
    const view: SavedView = {
      image: this.image,
      buildId: this.host.image.buildIdHex,
      xen: this.host.image.version,
      ...(dead ? { dead: describe(dead) } : {}),
      list: dead ? [] : this.host.list(),
      console: this.log.slice(keep),
    };
    const next = {
      view,
      host: { machine: { alloc: m.memory.saveState(), scratchNext: m.scratchPointer, frames }, record: this.host.record() },
      pages: Buffer.concat(frames.map((f) => ram.subarray(f, f + PAGE))),
    };
    if (this.loaded && sameState(this.loaded, next)) return;
    writeState(this.dir, { ...next, host: { checksum: this.host.stateChecksum(), ...next.host } });
  }

  close(): void {
    this.host.machine.close();
    this.lock?.release();
    this.lock = undefined;
  }
}

/** `builtin`, `debian` and named images stay names; a path becomes absolute (commands may run elsewhere). */
function imageSpec(image: string): string {
  const path = resolveImage(image);
  if (statSync(path).isDirectory()) throw new SessionError(`${path} is a directory, not a Xen image (give the path of a xen-syms)`);
  return path === image || resolve(path) === resolve(image) ? resolve(path) : image;
}

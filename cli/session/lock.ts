// The state directory's exclusive lock: flock(2) on its marker file. The kernel drops it when its holder exits,
// however it exits (kill -9 included), so no lock is ever stale and none has to be guessed dead.
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { MARKER, SessionError, claimDir, removeLeftovers } from './state-dir.ts';

const LOCK_EX = 2;
const LOCK_NB = 4;
/** How long a command waits for another to finish with the same state directory. */
const WAIT_MS = 120_000;
const POLL_MS = 10;

let flock: ((fd: number, op: number) => number) | undefined;

/** libc's flock through koffi, loaded on first use (commands that only read never pay for it). */
function flockFn(): (fd: number, op: number) => number {
  if (!flock) {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    flock = koffi.load('libc.so.6').func('int flock(int fd, int op)') as (fd: number, op: number) => number;
  }
  return flock;
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export class DirLock {
  private constructor(private fd: number | undefined) {}

  /**
   * Hold the lock of `dir` (a claimed state directory). Undefined when the marker was removed before or while
   * we waited (`xlp reset`): the caller looks at the directory again.
   */
  static acquire(dir: string): DirLock | undefined {
    const path = join(dir, MARKER);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const give = Date.now() + WAIT_MS;
      while (flockFn()(fd, LOCK_EX | LOCK_NB) !== 0) {
        if (Date.now() > give) throw new SessionError(`${dir} stayed locked by another xlp command for ${WAIT_MS / 1000} s`);
        sleep(POLL_MS);
      }
      let same = false;
      try {
        same = statSync(path).ino === fstatSync(fd).ino;
      } catch {
        // removed: not the lock any more
      }
      if (!same) {
        closeSync(fd);
        return undefined;
      }
      return new DirLock(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  release(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd); // closing the last descriptor drops the flock
    this.fd = undefined;
  }
}

/**
 * Run `fn` holding the lock of `dir` (claimed first: created, or marked if empty); the lock goes with fn's
 * result (fn releases it, or hands it on), and is released if fn throws. Host files left by a writer that died
 * are removed first.
 */
export function withDirLock<T>(dir: string, fn: (lock: DirLock) => T): T {
  for (;;) {
    claimDir(dir);
    const lock = DirLock.acquire(dir);
    if (!lock) continue; // reset removed the marker while we waited: look again
    try {
      removeLeftovers(dir);
      return fn(lock);
    } catch (e) {
      lock.release();
      throw e;
    }
  }
}

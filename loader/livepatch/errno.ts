// Xen's errno values (xen/include/public/errno.h) and the typed error every failed live-patch operation raises.
import { glibcStrerror, linuxErrnoName } from './strerror.ts';

export const Errno = {
  EPERM: 1, ENOENT: 2, E2BIG: 7, EAGAIN: 11, ENOMEM: 12, EFAULT: 14, EBUSY: 16, EEXIST: 17, EINVAL: 22,
  ENOSPC: 28, ERANGE: 34, ENOSYS: 38, ENODATA: 61, EOVERFLOW: 75, EOPNOTSUPP: 95, ENOBUFS: 105,
} as const;
export type ErrnoName = keyof typeof Errno;

const NAMES = new Map<number, ErrnoName>(Object.entries(Errno).map(([k, v]) => [v, k as ErrnoName]));

/** The name of one of the errnos above (the positive value), else undefined. */
export const xenErrnoName = (n: number): ErrnoName | undefined => NAMES.get(n);

export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return NAMES.get(n) ?? linuxErrnoName(n) ?? `E${n}`;
}

/** strerror() as glibc prints it (xen-livepatch uses strerror). */
export const strerror = glibcStrerror;

/** A failure with Xen's errno (positive, as in the enum; `rc` is Xen's negative return value). */
export class LivepatchError extends Error {
  /** `message` without the errno: what xlp prints after `xlp:`. */
  readonly reason: string;
  constructor(readonly errno: number, message: string) {
    super(`-${errnoName(errno)}: ${message}`);
    this.reason = message;
    this.name = 'LivepatchError';
  }
  get rc(): number {
    return -this.errno;
  }
  get errnoName(): string {
    return errnoName(this.errno);
  }
}

export function fail(errno: number, message: string): never {
  throw new LivepatchError(errno, message);
}

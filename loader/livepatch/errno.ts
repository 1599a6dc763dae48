// Xen's errno values (xen/include/public/errno.h) and the typed error every failed live-patch operation raises.

export const Errno = {
  EPERM: 1, ENOENT: 2, E2BIG: 7, EAGAIN: 11, ENOMEM: 12, EFAULT: 14, EBUSY: 16, EEXIST: 17, EINVAL: 22,
  ERANGE: 34, ENOSYS: 38, ENODATA: 61, EOVERFLOW: 75, EOPNOTSUPP: 95, ENOBUFS: 105,
} as const;
export type ErrnoName = keyof typeof Errno;

const NAMES = new Map<number, ErrnoName>(Object.entries(Errno).map(([k, v]) => [v, k as ErrnoName]));

/** strerror() texts as glibc prints them (xen-livepatch uses strerror). */
const STRERROR: Record<number, string> = {
  1: 'Operation not permitted', 2: 'No such file or directory', 7: 'Argument list too long',
  11: 'Resource temporarily unavailable', 12: 'Cannot allocate memory', 14: 'Bad address',
  16: 'Device or resource busy', 17: 'File exists', 22: 'Invalid argument', 34: 'Numerical result out of range',
  38: 'Function not implemented', 61: 'No data available', 75: 'Value too large for defined data type',
  95: 'Operation not supported', 105: 'No buffer space available',
};

export function errnoName(errno: number): string {
  return NAMES.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`;
}

export function strerror(errno: number): string {
  return STRERROR[Math.abs(errno)] ?? `Unknown error ${Math.abs(errno)}`;
}

/** A failure with Xen's errno (positive, as in the enum; `rc` is Xen's negative return value). */
export class LivepatchError extends Error {
  constructor(readonly errno: number, message: string) {
    super(`-${errnoName(errno)}: ${message}`);
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

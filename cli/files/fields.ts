// Field types shared by scenario and check files (zod): exact integers with ranges, errno names, regexes.
import { z } from 'zod';
import { ERRNO_NAMES, errnoNumber, linuxErrnoName } from '../../loader/livepatch/strerror.ts';
import { didYouMean } from '../suggest.ts';
import { INT64_MIN, UINT64_MAX, inRange, toBigInt } from './integers.ts';

/** An integer in [min, max], as bigint. */
export function integer(min: bigint, max: bigint, what: string): z.ZodType<bigint, unknown> {
  return z.unknown().transform((v, ctx) => {
    const n = toBigInt(v);
    const r = typeof n === 'string' ? n : inRange(n, min, max, what);
    if (typeof r === 'string') {
      ctx.addIssue({ code: 'custom', message: r });
      return z.NEVER;
    }
    return r;
  });
}

/** A 64-bit guest value (signed or unsigned spelling; compared as the CPU's 64 bits). */
export const GuestValue = integer(INT64_MIN, UINT64_MAX, '64 bits');
export const Int32 = integer(-(1n << 31n), (1n << 31n) - 1n, '32 bits (signed)').transform(Number);

/** An errno: a name (`EBUSY`, `-EBUSY`) or a number (16, -16); the result is the name. */
export const ErrnoField = z.union([z.string(), z.bigint(), z.number()]).transform((v, ctx) => {
  const text = String(v).replace(/^-/, '');
  if (/^\d+$/.test(text)) {
    const name = linuxErrnoName(Number(text));
    if (name) return name;
  } else {
    const n = errnoNumber(text);
    if (n !== undefined) return linuxErrnoName(n)!; // EWOULDBLOCK → EAGAIN, ENOTSUP → EOPNOTSUPP
  }
  const hint = didYouMean(text, ERRNO_NAMES);
  ctx.addIssue({ code: 'custom', message: `unknown errno ${String(v)}${hint ? ` (${hint})` : ' (a name such as EINVAL, or a number)'}` });
  return z.NEVER;
});

/** A console/fault pattern: text to find, or `/regex/flags`, checked to compile before anything runs. */
export const Pattern = z.union([z.string(), z.bigint().transform(String), z.number().transform(String)]).superRefine((v, ctx) => {
  const re = /^\/(.*)\/([a-z]*)$/.exec(v);
  if (!re) return;
  try {
    new RegExp(re[1]!, re[2]);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression ${v}: ${(e as Error).message}` });
  }
});

/** A name or symbol: a non-empty string (YAML numbers are taken as written). */
export const Word = z.union([z.string().min(1), z.bigint().transform(String)]);

/** true or false (a quoted "true" is a string, and a mistake). */
export const Bool = z.boolean({ error: (iss) => `expected true or false, got ${JSON.stringify(iss.input)}` });

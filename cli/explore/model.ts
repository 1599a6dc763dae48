// Invariant 3: a small model of Xen 4.17's live-patch state machine (spec §3.4-3.7), written apart from the
// loader, that predicts what each operation does in each state. Where guest code decides (a pre-apply or
// pre-revert hook, an action hook, upload's symbol checks) the model says so and takes what happened.
import { Errno, errnoName } from '../../loader/livepatch/errno.ts';
import type { Op } from './ops.ts';
import type { PayloadInfo } from './payload-info.ts';
import { startsWithEndbr } from './text.ts';

export interface ModelPayload {
  name: string;
  state: 'CHECKED' | 'APPLIED';
  rc: number;
  reverted: boolean;
}

export interface ModelState {
  /** Loaded payloads in upload order (LIST's order). */
  loaded: readonly ModelPayload[];
  /** Applied payloads, oldest first. */
  applied: readonly string[];
}

export interface ModelContext {
  /** Facts about a payload (loaded, or about to be uploaded). */
  info(name: string): PayloadInfo | undefined;
  xenBuildId: string;
  nodeps: boolean;
  /** Bytes at `address` with `applied` on the stack, as the text model has them; undefined if unknown. */
  bytes(applied: readonly string[], address: bigint, length: number): Uint8Array | undefined;
}

export interface Prediction {
  /** What the step reports: the refused hypercall's errno, or the payload's rc once its work ran. */
  errno?: string;
  next: ModelState;
  /** False where guest code decides: then only what happened is known. */
  certain: boolean;
}

const name = (errno: number): string => errnoName(errno);

/** xen-livepatch's view of a hypercall that returned 0: the payload's rc after the quiescent point. */
const rcErrno = (rc: number): string | undefined => (rc < 0 ? errnoName(-rc) : undefined);

function withPayload(s: ModelState, p: ModelPayload, applied = s.applied): ModelState {
  return { loaded: s.loaded.map((x) => (x.name === p.name ? p : x)), applied };
}

const refused = (s: ModelState, errno: number): Prediction => ({ errno: name(errno), next: s, certain: true });
const uncertain = (s: ModelState): Prediction => ({ next: s, certain: false });

/** check_expectations() on the bytes the model has at old_addr now; an errno, 0, or undefined if unknown. */
function expectations(info: PayloadInfo, applied: readonly string[], ctx: ModelContext): number | undefined {
  for (const f of info.funcs) {
    const e = f.expect;
    if (!e.enabled) continue;
    if (f.oldAddr === 0n) return Errno.EFAULT;
    if (e.len > 31) return Errno.EOVERFLOW;
    if (e.rsv !== 0) return Errno.EINVAL;
    if (f.oldSize < e.len) return Errno.ERANGE;
    const now = ctx.bytes(applied, f.oldAddr, e.len);
    if (!now) return undefined;
    if (!Buffer.from(now).equals(Buffer.from(e.data.subarray(0, e.len)))) return Errno.EINVAL;
  }
  return 0;
}

/** A NOP patch shorter than the ENDBR64 it skips: the loader refuses it at apply (rc -EINVAL). */
function nopUnderflow(info: PayloadInfo, ctx: ModelContext): boolean {
  return info.funcs.some((f) => {
    if (f.newAddr !== 0n || f.oldAddr === 0n) return false;
    return startsWithEndbr(ctx.bytes([], f.oldAddr, 4)) && f.newSize < 4;
  });
}

function upload(s: ModelState, op: Op, ctx: ModelContext): Prediction {
  if (s.loaded.some((x) => x.name === op.payload)) return refused(s, Errno.EEXIST);
  const id = ctx.info(op.payload)?.buildId;
  if (id !== undefined && s.loaded.some((x) => ctx.info(x.name)?.buildId === id)) return refused(s, Errno.EEXIST);
  // The ELF, relocation and symbol checks (-EEXIST for a clashing symbol) are upload's, not the state machine's.
  return uncertain({ loaded: [...s.loaded, { name: op.payload, state: 'CHECKED', rc: 0, reverted: false }], applied: s.applied });
}

function apply(s: ModelState, p: ModelPayload, info: PayloadInfo, ctx: ModelContext): Prediction {
  if (p.state !== 'CHECKED') return { errno: rcErrno(p.rc), next: s, certain: true };
  if (p.reverted && !info.safeToReapply) {
    return { errno: name(Errno.EINVAL), next: withPayload(s, { ...p, rc: -Errno.EINVAL }), certain: true };
  }
  if (!ctx.nodeps) {
    const top = s.applied.at(-1);
    const want = top === undefined ? ctx.xenBuildId : ctx.info(top)?.buildId;
    if (info.depends !== want) return refused(s, Errno.EINVAL);
  }
  const exp = expectations(info, s.applied, ctx);
  if (exp === undefined) return uncertain(s);
  if (exp) return refused(s, exp);
  if (info.hooks.preApply || info.hooks.apply) return uncertain(s);
  if (nopUnderflow(info, ctx)) return { errno: name(Errno.EINVAL), next: withPayload(s, { ...p, rc: -Errno.EINVAL }), certain: true };
  return { next: withPayload(s, { ...p, state: 'APPLIED', rc: 0 }, [...s.applied, p.name]), certain: true };
}

function revert(s: ModelState, p: ModelPayload, info: PayloadInfo): Prediction {
  if (p.state !== 'APPLIED') return { errno: rcErrno(p.rc), next: s, certain: true };
  if (s.applied.at(-1) !== p.name) return refused(s, Errno.EBUSY);
  if (info.hooks.preRevert || info.hooks.revert) return uncertain(s);
  return { next: withPayload(s, { ...p, state: 'CHECKED', rc: 0, reverted: true }, s.applied.slice(0, -1)), certain: true };
}

const VETOING = ['preApply', 'postApply', 'preRevert', 'postRevert'] as const;

function replace(s: ModelState, p: ModelPayload, info: PayloadInfo, ctx: ModelContext): Prediction {
  if (p.state !== 'CHECKED') return { errno: rcErrno(p.rc), next: s, certain: true };
  if (info.depends !== ctx.xenBuildId) return refused(s, Errno.EINVAL);
  const infos = [info, ...s.applied.map((n) => ctx.info(n))];
  if (infos.some((i) => i === undefined || VETOING.some((h) => i.hooks[h]))) return refused(s, Errno.EOPNOTSUPP);
  if (info.hooks.apply || infos.some((i) => i!.hooks.revert)) return uncertain(s);
  // Everything applied is reverted, newest first; then the new payload's expectations, on unpatched code.
  const loaded = s.loaded.map((x) => (s.applied.includes(x.name) ? { ...x, state: 'CHECKED' as const, rc: 0, reverted: true } : x));
  const reverted: ModelState = { loaded, applied: [] };
  const exp = expectations(info, [], ctx);
  if (exp === undefined) return uncertain(s);
  const self = reverted.loaded.find((x) => x.name === p.name)!;
  if (exp) return { errno: name(exp), next: withPayload(reverted, { ...self, rc: -exp }), certain: true };
  if (nopUnderflow(info, ctx)) return { errno: name(Errno.EINVAL), next: withPayload(reverted, { ...self, rc: -Errno.EINVAL }), certain: true };
  return { next: withPayload(reverted, { ...self, state: 'APPLIED', rc: 0 }, [p.name]), certain: true };
}

export function predict(s: ModelState, op: Op, ctx: ModelContext): Prediction {
  if (op.kind === 'upload') return upload(s, op, ctx);
  const p = s.loaded.find((x) => x.name === op.payload);
  if (!p) return refused(s, Errno.ENOENT);
  const info = ctx.info(p.name);
  if (!info) return uncertain(s);
  switch (op.kind) {
    case 'unload':
      if (p.state === 'APPLIED') return refused(s, Errno.EINVAL);
      return { next: { loaded: s.loaded.filter((x) => x !== p), applied: s.applied }, certain: true };
    case 'revert':
      return revert(s, p, info);
    case 'apply':
      return apply(s, p, info, ctx);
    case 'replace':
      return replace(s, p, info, ctx);
  }
}

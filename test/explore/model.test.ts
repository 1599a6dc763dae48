// The model of Xen's state machine (invariant 3) on its own: what each action gives in each state.
import { describe, expect, it } from 'vitest';
import { type ModelContext, type ModelState, predict } from '../../cli/explore/model.ts';
import type { OpKind } from '../../cli/explore/ops.ts';
import type { PayloadInfo } from '../../cli/explore/payload-info.ts';

const XEN = 'aa';
const NO_HOOKS = { preApply: false, apply: false, postApply: false, preRevert: false, revert: false, postRevert: false };
const ORIGINAL = Uint8Array.from([0x48, 0x8d, 0x05, 1, 2, 3, 4, 0xe9]);

function info(name: string, over: Partial<PayloadInfo> = {}): PayloadInfo {
  return {
    name, buildId: `id-${name}`, depends: XEN, safeToReapply: true, hooks: NO_HOOKS,
    funcs: [{ name: 'f', oldAddr: 0x1000n, newAddr: 0x9000n, newSize: 12, oldSize: 12, expect: { enabled: false, len: 0, rsv: 0, data: new Uint8Array(31) } }],
    ...over,
  };
}

function ctx(infos: PayloadInfo[], nodeps = false): ModelContext {
  return {
    info: (n) => infos.find((i) => i.name === n), xenBuildId: XEN, nodeps,
    // Unpatched code while nothing is applied, a jump at old_addr once something is.
    bytes: (applied, _a, len) => (applied.length ? Uint8Array.from([0xe9, 0, 0, 0, 0, 0, 0, 0]) : ORIGINAL).subarray(0, len),
  };
}

const checked = (name: string, rc = 0, reverted = false) => ({ name, state: 'CHECKED' as const, rc, reverted });
const applied = (name: string) => ({ name, state: 'APPLIED' as const, rc: 0, reverted: false });
const op = (kind: OpKind, payload: string) => ({ kind, payload });

describe('model of Xen 4.17 actions (spec §3.4-3.7)', () => {
  const a = info('a');
  const b = info('b', { depends: 'id-a' });
  const root: ModelState = { loaded: [checked('a'), checked('b')], applied: [] };
  const stacked: ModelState = { loaded: [applied('a'), applied('b')], applied: ['a', 'b'] };

  it('unknown payload: ENOENT; unload of an applied one: EINVAL; unload: gone', () => {
    expect(predict(root, op('apply', 'c'), ctx([a, b]))).toMatchObject({ errno: 'ENOENT', certain: true, next: root });
    expect(predict(stacked, op('unload', 'b'), ctx([a, b])).errno).toBe('EINVAL');
    expect(predict(root, op('unload', 'a'), ctx([a, b])).next).toEqual({ loaded: [checked('b')], applied: [] });
  });

  it('apply: depends on Xen, then on the top of the stack; NODEPS skips it', () => {
    expect(predict(root, op('apply', 'b'), ctx([a, b])).errno).toBe('EINVAL');
    const nodeps = predict(root, op('apply', 'b'), ctx([a, b], true));
    expect(nodeps.errno).toBeUndefined();
    expect(nodeps.next.applied).toEqual(['b']);
    const onA: ModelState = { loaded: [applied('a'), checked('b')], applied: ['a'] };
    expect(predict(onA, op('apply', 'b'), ctx([a, b])).next).toEqual(stacked);
  });

  it('revert: only the top (EBUSY), and of a CHECKED payload nothing but its rc', () => {
    expect(predict(stacked, op('revert', 'a'), ctx([a, b])).errno).toBe('EBUSY');
    expect(predict(stacked, op('revert', 'b'), ctx([a, b])).next).toEqual({ loaded: [applied('a'), checked('b', 0, true)], applied: ['a'] });
    const noop = predict(root, op('revert', 'a'), ctx([a, b]));
    expect(noop.errno).toBeUndefined();
    expect(noop.next).toBe(root);
    const failed: ModelState = { loaded: [checked('a', -22)], applied: [] };
    expect(predict(failed, op('revert', 'a'), ctx([a])).errno).toBe('EINVAL');
  });

  it('apply after a revert of a payload that is not safe to re-apply: 0, then rc -EINVAL', () => {
    const once = info('a', { safeToReapply: false });
    const s: ModelState = { loaded: [checked('a', 0, true)], applied: [] };
    expect(predict(s, op('apply', 'a'), ctx([once]))).toMatchObject({ errno: 'EINVAL', next: { loaded: [checked('a', -22, true)] } });
  });

  it('expectations are checked against the code as patched now', () => {
    const data = new Uint8Array(31);
    data.set(ORIGINAL);
    const e = info('e', { funcs: [{ ...a.funcs[0]!, expect: { enabled: true, len: 8, rsv: 0, data } }] });
    const s: ModelState = { loaded: [applied('a'), checked('e')], applied: ['a'] };
    expect(predict(s, op('apply', 'e'), ctx([a, e], true)).errno).toBe('EINVAL');
    expect(predict({ loaded: [checked('e')], applied: [] }, op('apply', 'e'), ctx([e])).errno).toBeUndefined();
  });

  it('replace: EOPNOTSUPP with vetoing hooks; otherwise everything reverted and only it applied', () => {
    const r = info('r');
    const s: ModelState = { loaded: [applied('a'), checked('r')], applied: ['a'] };
    expect(predict(s, op('replace', 'r'), ctx([a, r])).next).toEqual({ loaded: [checked('a', 0, true), applied('r')], applied: ['r'] });
    const hooked = info('a', { hooks: { ...NO_HOOKS, postRevert: true } });
    expect(predict(s, op('replace', 'r'), ctx([hooked, r])).errno).toBe('EOPNOTSUPP');
  });

  it('leaves to what happens whatever a pre-apply hook decides', () => {
    const h = info('h', { hooks: { ...NO_HOOKS, preApply: true } });
    expect(predict({ loaded: [checked('h')], applied: [] }, op('apply', 'h'), ctx([h])).certain).toBe(false);
  });
});

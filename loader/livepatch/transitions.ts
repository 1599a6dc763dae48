// What runs at the quiescent point (livepatch_do_action and the default actions apply_payload/revert_payload):
// generic state changes here, the bytes of each patch behind the arch seam (loader/arch).
import type { Machine } from '../../emulator/xen/machine.ts';
import type { LivepatchArch, TextAccess } from '../arch/types.ts';
import type { ActionName } from './abi.ts';
import { checkExpectations } from './checks.ts';
import { Errno } from './errno.ts';
import { callIntHook, hookFn, runHookArray } from './hooks.ts';
import type { Payload } from './payload.ts';
import type { LivepatchRules } from './versions.ts';

/** Xen panics when an action leaves per-function states mixed; we stop the host with this error instead. */
export class HostPanic extends Error {
  constructor(message: string) {
    super(`Xen would panic: ${message}`);
    this.name = 'HostPanic';
  }
}

export interface Runtime {
  machine: Machine;
  arch: LivepatchArch;
  rules: LivepatchRules;
  /** Applied payloads, oldest first (Xen's applied_list). */
  applied: Payload[];
  log(line: string): void;
}

function text(m: Machine): TextAccess {
  return { read: (a, n) => m.read(a, n), write: (a, b) => m.write(a, b) };
}

/** Xen brackets the default actions with arch_livepatch_quiesce()/_revive() (text writable meanwhile). */
function quiesced(rt: Runtime, fn: () => number): number {
  rt.arch.quiesce();
  try {
    return fn();
  } finally {
    rt.arch.revive();
  }
}

/** apply_payload(): load hooks, then each function's trampoline, in funcs[] order. */
export function applyPayload(rt: Runtime, p: Payload): number {
  rt.log(`livepatch: ${p.name}: Applying ${p.prepared.funcs.length} functions`);
  return quiesced(rt, () => applyFuncs(rt, p));
}

function applyFuncs(rt: Runtime, p: Payload): number {
  runHookArray(rt.machine, p, 'load');
  const done: number[] = [];
  for (const f of p.prepared.funcs) {
    if (p.struct.applied(f.index)) {
      rt.log(`livepatch: ${p.name}: ${f.name ?? f.index} has been already applied before`);
      continue;
    }
    let saved;
    try {
      saved = rt.arch.apply({ oldAddr: f.oldAddr, newAddr: f.newAddr, newSize: f.newSize }, text(rt.machine));
    } catch (e) {
      // Xen 4.17 would memcpy a huge wrapped length here (a patch length that underflowed): undo and refuse.
      for (const i of done.reverse()) revertFunc(rt, p, i);
      rt.log(`livepatch: ${p.name}: ${(e as Error).message}`);
      return -Errno.EINVAL;
    }
    p.struct.save(f.index, saved.patchOffset, saved.saved);
    p.struct.setApplied(f.index, true);
    done.push(f.index);
  }
  return 0;
}

function revertFunc(rt: Runtime, p: Payload, i: number): void {
  const f = p.prepared.funcs[i]!;
  rt.arch.revert({ oldAddr: f.oldAddr, newAddr: f.newAddr, newSize: f.newSize }, p.struct.saved(i), text(rt.machine));
  p.struct.setApplied(i, false);
}

/** revert_payload(): restore each function (funcs[] order, as Xen), then the unload hooks. */
export function revertPayload(rt: Runtime, p: Payload): number {
  rt.log(`livepatch: ${p.name}: Reverting`);
  return quiesced(rt, () => {
    for (const f of p.prepared.funcs) {
      if (f.oldAddr === 0n || !p.struct.applied(f.index)) continue;
      revertFunc(rt, p, f.index);
    }
    runHookArray(rt.machine, p, 'unload');
    return 0;
  });
}

/** revert_payload_tail(): off the applied list, reverted, CHECKED. */
export function revertPayloadTail(rt: Runtime, p: Payload): void {
  const i = rt.applied.indexOf(p);
  if (i >= 0) rt.applied.splice(i, 1);
  p.struct.poisonAppliedList();
  p.markReverted();
  p.setState('CHECKED');
  if (!rt.rules.regionFromUpload) rt.machine.regions.unregister(p.region); // before 4.17.4: only while applied
}

function checkConsistency(p: Payload, rc: number, applying: boolean): void {
  const want = rc === 0 ? applying : !applying;
  for (const f of p.prepared.funcs) {
    if (p.struct.applied(f.index) !== want) {
      throw new HostPanic(
        `livepatch: ${p.name}: functions are partially ${applying ? 'applied' : 'reverted'} after rc=${rc} (${f.name ?? f.index})`,
      );
    }
  }
}

function doApply(rt: Runtime, p: Payload): number {
  const action = hookFn(p, 'apply');
  const rc = action !== undefined ? callIntHook(rt.machine, p, action) : applyPayload(rt, p);
  checkConsistency(p, rc, true);
  if (rc === 0) {
    rt.applied.push(p);
    p.setState('APPLIED');
    if (!rt.rules.regionFromUpload) rt.machine.regions.register(p.region);
  }
  return rc;
}

function doRevert(rt: Runtime, p: Payload): number {
  const action = hookFn(p, 'revert');
  const rc = action !== undefined ? callIntHook(rt.machine, p, action) : revertPayload(rt, p);
  checkConsistency(p, rc, false);
  if (rc === 0) revertPayloadTail(rt, p);
  return rc;
}

/** REPLACE: revert everything newest to oldest, then check expectations and apply the new payload. */
function doReplace(rt: Runtime, p: Payload): number {
  for (const old of [...rt.applied].reverse()) {
    const rc = doRevert(rt, old);
    old.setRc(rc);
    if (rc) return -Errno.EINVAL;
  }
  try {
    checkExpectations(p, (a, n) => rt.machine.read(a, n));
  } catch (e) {
    rt.log(`livepatch: ${p.name}: expectations not satisfied after reverting all payloads: SYSTEM MIGHT BE INSECURE`);
    return -(e as { errno?: number }).errno! || -Errno.EINVAL;
  }
  return doApply(rt, p);
}

/** livepatch_do_action(): the payload's rc is the action's result; the caller runs post hooks. */
export function doAction(rt: Runtime, action: Exclude<ActionName, 'UNLOAD'>, p: Payload): number {
  const rc = action === 'APPLY' ? doApply(rt, p) : action === 'REVERT' ? doRevert(rt, p) : doReplace(rt, p);
  p.setRc(rc);
  return rc;
}

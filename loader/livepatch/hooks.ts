// Hooks are guest code: they run in the emulator with Xen's arguments.
import type { Machine } from '../../emulator/xen/machine.ts';
import type { HookName } from './abi.ts';
import type { Payload } from './payload.ts';

/** A hook is enabled iff its section exists and the pointer in it is non-NULL. */
export function hookFn(p: Payload, h: HookName): bigint | undefined {
  const slot = p.prepared.hooks[h];
  return slot && slot.fn !== 0n ? slot.fn : undefined;
}

/** int hook(struct payload *): the int result, sign-extended. */
export function callIntHook(m: Machine, p: Payload, fn: bigint): number {
  return Number(BigInt.asIntN(32, m.call(fn, [p.struct.address])));
}

export function callVoidHook(m: Machine, p: Payload, fn: bigint): void {
  m.call(fn, [p.struct.address]);
}

/** .livepatch.hooks.load / .unload: void (*)(void), in array order. Xen calls every slot, a NULL one too
 *  (a fatal fault: the host dies). */
export function runHookArray(m: Machine, p: Payload, which: 'load' | 'unload'): void {
  for (const h of p.prepared.hooks[which]) m.call(h.fn);
}

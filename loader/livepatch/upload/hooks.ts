// prepare_payload step 2 (spec §1.4, §2.7): LIVEPATCH_ASSIGN_MULTI_HOOK / _SINGLE_HOOK.
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import { HOOK_SIZE } from '../../abi.ts';
import { SEC } from './constants.ts';
import type { Layout } from './layout.ts';
import { describe, findSection, type ElfModel } from './model.ts';
import type { HookSlot, PreparedHooks } from './types.ts';

export interface Hooks {
  hooks: PreparedHooks;
  loadFuncs: { address: bigint; count: number } | undefined;
  unloadFuncs: { address: bigint; count: number } | undefined;
}

export function prepareHooks(elf: ElfModel, layout: Layout): Hooks {
  const load = multi(elf, layout, SEC.loadHooks);
  const unload = multi(elf, layout, SEC.unloadHooks);
  const hooks: PreparedHooks = { load: slots(layout, load), unload: slots(layout, unload) };
  const singles = [
    ['preApply', SEC.preApply], ['apply', SEC.apply], ['postApply', SEC.postApply],
    ['preRevert', SEC.preRevert], ['revert', SEC.revert], ['postRevert', SEC.postRevert],
  ] as const;
  for (const [key, name] of singles) {
    const slot = single(elf, layout, name);
    if (slot) hooks[key] = slot;
  }
  return { hooks, loadFuncs: load, unloadFuncs: unload };
}

function multi(elf: ElfModel, layout: Layout, name: string): { address: bigint; count: number } | undefined {
  const s = findSection(elf, name);
  if (!s) return undefined;
  if (s.size % BigInt(HOOK_SIZE) !== 0n) {
    fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not a multiple of ${HOOK_SIZE}`);
  }
  const address = layout.address[s.index];
  if (address === undefined) {
    // Xen keeps a NULL array with a non-zero count and calls through it at apply/revert.
    fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would call through a NULL hook array)`);
  }
  return { address, count: Number(s.size) / HOOK_SIZE };
}

/** A single hook in a section that is not loaded stays NULL, which Xen treats as "no hook". */
function single(elf: ElfModel, layout: Layout, name: string): HookSlot | undefined {
  const s = findSection(elf, name);
  if (!s) return undefined;
  if (s.size !== BigInt(HOOK_SIZE)) fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not ${HOOK_SIZE}`);
  const slot = layout.address[s.index];
  return slot === undefined ? undefined : { slot, fn: layout.memory.readU64(slot)! };
}

function slots(layout: Layout, array: { address: bigint; count: number } | undefined): HookSlot[] {
  if (!array) return [];
  return Array.from({ length: array.count }, (_, i) => {
    const slot = array.address + BigInt(i * HOOK_SIZE);
    return { slot, fn: layout.memory.readU64(slot)! };
  });
}

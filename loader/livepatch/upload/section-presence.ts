// Steps (f) check_special_sections and (g) check_patching_sections (spec §1.2). A name that occurs twice is
// not an error: lookup by name returns the first match, so Xen's "seen more than once" check is dead code.
import { Errno, fail } from '../errno.ts';
import { SEC } from './constants.ts';
import { describe, findSection, type ElfModel } from './model.ts';

const SPECIAL = [SEC.depends, SEC.xenDepends, SEC.buildId];
const PATCHING = [
  SEC.funcs, SEC.loadHooks, SEC.unloadHooks, SEC.preApply, SEC.apply, SEC.postApply, SEC.preRevert, SEC.revert,
  SEC.postRevert,
];

export function checkSpecialSections(elf: ElfModel): void {
  for (const name of SPECIAL) {
    const s = findSection(elf, name);
    if (!s) fail(Errno.EINVAL, `${name} is missing`);
    if (s.size === 0n) fail(Errno.EINVAL, `${describe(s)} is empty`);
  }
}

export function checkPatchingSections(elf: ElfModel): void {
  let found = false;
  for (const name of PATCHING) {
    const s = findSection(elf, name);
    if (!s) continue;
    if (s.size === 0n) fail(Errno.EINVAL, `${describe(s)} is empty`);
    found = true;
  }
  if (!found) fail(Errno.EINVAL, `nothing to patch: none of ${PATCHING.join(', ')} is present`);
}

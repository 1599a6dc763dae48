// prepare_payload step 9 (spec §5.1-5.2): `.ex_table` is sorted in place (the record format and Xen's sort are
// the architecture's).
import type { LivepatchArch } from '../../arch/types.ts';
import { hex } from '../../elf/errors.ts';
import type { ExceptionEntry } from '../../image/exception-table.ts';
import { Errno, fail } from '../errno.ts';
import { SEC } from './constants.ts';
import type { Layout } from './layout.ts';
import { describe, findSection, type ElfModel } from './model.ts';

export function sortExceptionTable(
  elf: ElfModel, layout: Layout, arch: LivepatchArch,
): { address: bigint; entries: ExceptionEntry[] } | undefined {
  const s = findSection(elf, SEC.exTable);
  if (!s) return undefined;
  const entrySize = arch.exTable.entrySize;
  if (s.size % BigInt(entrySize) !== 0n) {
    fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not a multiple of ${entrySize}`);
  }
  const address = layout.address[s.index];
  if (address === undefined) {
    if (s.size === 0n) return undefined; // region.ex = NULL: no table
    fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would sort a table at NULL)`);
  }
  const sorted = arch.exTable.sort(layout.memory.read(address, Number(s.size))!, address);
  layout.memory.write(address, sorted.bytes);
  return { address, entries: sorted.entries };
}

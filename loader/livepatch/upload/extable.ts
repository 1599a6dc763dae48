// prepare_payload step 9 (spec §5.1-5.2): `.ex_table` is sorted in place with Xen's heapsort; each entry's
// self-relative fields are re-encoded for its new slot so the absolute addresses are preserved.
import { hex } from '../../elf/errors.ts';
import { ExceptionTable, decodeExceptionTable, type ExceptionEntry } from '../../image/exception-table.ts';
import { Errno, fail } from '../errno.ts';
import { EXTABLE_ENTRY_SIZE, SEC } from './constants.ts';
import type { Layout } from './layout.ts';
import { describe, findSection, type ElfModel } from './model.ts';

export function sortExceptionTable(
  elf: ElfModel, layout: Layout,
): { address: bigint; entries: ExceptionEntry[] } | undefined {
  const s = findSection(elf, SEC.exTable);
  if (!s) return undefined;
  if (s.size % BigInt(EXTABLE_ENTRY_SIZE) !== 0n) {
    fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not a multiple of ${EXTABLE_ENTRY_SIZE}`);
  }
  const address = layout.address[s.index];
  if (address === undefined) {
    if (s.size === 0n) return undefined; // region.ex = NULL: no table
    fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would sort a table at NULL)`);
  }
  const size = Number(s.size);
  const entries = new ExceptionTable(decodeExceptionTable(layout.memory.read(address, size)!, address)).entries;
  layout.memory.write(address, encode(entries, address));
  return { address, entries };
}

/** Like encodeExceptionTable, but wrapping to s32 as Xen's swap arithmetic does instead of throwing. */
function encode(entries: readonly ExceptionEntry[], address: bigint): Uint8Array {
  const out = new Uint8Array(entries.length * EXTABLE_ENTRY_SIZE);
  const v = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const slot = address + BigInt(i * EXTABLE_ENTRY_SIZE);
    v.setInt32(i * 8, Number(BigInt.asIntN(32, e.addr - slot)), true);
    v.setInt32(i * 8 + 4, Number(BigInt.asIntN(32, e.cont - slot - 4n)), true);
  });
  return out;
}

// Xen's in-place sort of a payload's `.ex_table` (spec §5.1-5.2): the self-relative fields of each entry are
// re-encoded for its new slot so the absolute addresses are preserved.
import { EXTABLE_ENTRY } from '../../abi.ts';
import { ExceptionTable, decodeExceptionTable, type ExceptionEntry } from '../../image/exception-table.ts';

export function sortExceptionTable(bytes: Uint8Array, address: bigint): { entries: ExceptionEntry[]; bytes: Uint8Array } {
  const entries = new ExceptionTable(decodeExceptionTable(bytes, address)).entries;
  return { entries, bytes: encodeWrapping(entries, address) };
}

/** Like encodeExceptionTable, but wrapping to s32 as Xen's swap arithmetic does instead of throwing. */
function encodeWrapping(entries: readonly ExceptionEntry[], address: bigint): Uint8Array {
  const E = EXTABLE_ENTRY;
  const out = new Uint8Array(entries.length * E.size);
  const v = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const slot = address + BigInt(i * E.size);
    v.setInt32(i * E.size + E.addr, Number(BigInt.asIntN(32, e.addr - slot - BigInt(E.addr))), true);
    v.setInt32(i * E.size + E.cont, Number(BigInt.asIntN(32, e.cont - slot - BigInt(E.cont))), true);
  });
  return out;
}

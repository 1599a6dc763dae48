// The records of a relocated `.livepatch.funcs` (spec §1.3). The upload pipeline's prepareFuncs stops at the
// first record Xen would refuse; lint must see every record, so it reads them here, with the same offsets.
import type { AddressSpace } from '../livepatch/upload/memory.ts';
import { FUNC_SIZE, SEC } from '../livepatch/upload/constants.ts';
import type { Layout } from '../livepatch/upload/layout.ts';
import { findSection, type ElfModel } from '../livepatch/upload/model.ts';
import type { Expectation, PreparedFunc } from '../livepatch/upload/types.ts';

/** Longest name read through a record's `name` pointer (Xen's symbol names are far shorter). */
const MAX_NAME = 4096;

/** Every whole record, with old_addr as relocated (0 = to be resolved by name). */
export function readFuncs(elf: ElfModel, layout: Layout): PreparedFunc[] {
  const s = findSection(elf, SEC.funcs);
  const at = s && layout.address[s.index];
  if (!s || at === undefined) return [];
  const mem = layout.memory;
  const out: PreparedFunc[] = [];
  const n = Number(s.size / BigInt(FUNC_SIZE));
  for (let i = 0; i < n; i++) {
    const rec = at + BigInt(i * FUNC_SIZE);
    const b = mem.read(rec, FUNC_SIZE);
    if (!b) break;
    const v = new DataView(b.buffer, b.byteOffset, FUNC_SIZE);
    const nameAddress = v.getBigUint64(0, true);
    out.push({
      index: i, recordAddress: rec, name: readName(mem, nameAddress), nameAddress,
      newAddr: v.getBigUint64(8, true), oldAddr: v.getBigUint64(16, true),
      newSize: v.getUint32(24, true), oldSize: v.getUint32(28, true), version: v.getUint8(32),
      expect: expectation(b.subarray(72, FUNC_SIZE)),
    });
  }
  return out;
}

function readName(mem: AddressSpace, address: bigint): string | undefined {
  if (address === 0n) return undefined;
  const bytes = mem.cstring(address, MAX_NAME);
  return bytes && new TextDecoder().decode(bytes);
}

/** struct livepatch_expectation: byte 0 = enabled (bit 0), len (bits 1-5), rsv (bits 6-7); then 31 data bytes. */
function expectation(b: Uint8Array): Expectation {
  const bits = b[0]!;
  return { enabled: (bits & 1) !== 0, len: (bits >> 1) & 0x1f, rsv: bits >> 6, data: Uint8Array.from(b.subarray(1)) };
}

// The records of a relocated `.livepatch.funcs` (spec §1.3). The upload pipeline's prepareFuncs stops at the
// first record Xen would refuse; lint must see every record, so it reads them here, with the same decoder.
import { LIVEPATCH_FUNC } from '../abi.ts';
import { decodeFuncRecord } from '../livepatch/func-record.ts';
import { SEC } from '../livepatch/upload/constants.ts';
import { readFuncName } from '../livepatch/upload/funcs.ts';
import type { Layout } from '../livepatch/upload/layout.ts';
import { findSection, type ElfModel } from '../livepatch/upload/model.ts';
import type { PreparedFunc } from '../livepatch/upload/types.ts';

/** Every whole record, with old_addr as relocated (0 = to be resolved by name). */
export function readFuncs(elf: ElfModel, layout: Layout): PreparedFunc[] {
  const s = findSection(elf, SEC.funcs);
  const at = s && layout.address[s.index];
  if (!s || at === undefined) return [];
  const mem = layout.memory;
  const out: PreparedFunc[] = [];
  const size = LIVEPATCH_FUNC.size;
  const n = Number(s.size / BigInt(size));
  for (let i = 0; i < n; i++) {
    const rec = at + BigInt(i * size);
    const b = mem.read(rec, size);
    if (!b) break;
    const r = decodeFuncRecord(b);
    out.push({ index: i, recordAddress: rec, name: readFuncName(mem, r.nameAddress), ...r });
  }
  return out;
}

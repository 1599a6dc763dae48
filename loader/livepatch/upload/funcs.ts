// prepare_payload step 1 (spec §2.7, §1.3): validate `.livepatch.funcs`, resolve old_addr by name (written
// back into the image), arch_livepatch_verify_func and livepatch_verify_distance, one record at a time.
import { LIVEPATCH_FUNC, LIVEPATCH_PAYLOAD_VERSION } from '../../abi.ts';
import { hex } from '../../elf/errors.ts';
import { decodeString } from '../../elf/reader.ts';
import { Errno, fail } from '../errno.ts';
import { decodeFuncRecord } from '../func-record.ts';
import { SEC } from './constants.ts';
import type { Layout } from './layout.ts';
import type { AddressSpace } from './memory.ts';
import { describe, findSection, type ElfModel } from './model.ts';
import { lookupByName } from './resolve.ts';
import type { PreparedFunc, UploadContext } from './types.ts';

/** Longer names cannot match any symbol; reading stops there instead of walking memory forever. */
const MAX_NAME = 4096;
const FUNC_SIZE = LIVEPATCH_FUNC.size;

export interface Funcs {
  funcs: PreparedFunc[];
  address: bigint | undefined;
}

export function prepareFuncs(elf: ElfModel, layout: Layout, ctx: UploadContext): Funcs {
  const s = findSection(elf, SEC.funcs);
  if (!s) return { funcs: [], address: undefined };
  if (s.size % BigInt(FUNC_SIZE) !== 0n) {
    fail(Errno.EINVAL, `${describe(s)}: size ${hex(s.size)} is not a multiple of ${FUNC_SIZE}`);
  }
  const at = layout.address[s.index];
  const n = Number(s.size / BigInt(FUNC_SIZE));
  if (at === undefined) {
    // Only reachable with n > 0 (check_patching_sections refused an empty one): Xen reads funcs[0] at NULL.
    fail(Errno.EINVAL, `${describe(s)} is not SHF_ALLOC (Xen 4.17 would dereference a NULL funcs array)`);
  }
  const mem = layout.memory;
  const funcs: PreparedFunc[] = [];
  for (let i = 0; i < n; i++) {
    const rec = at + BigInt(i * FUNC_SIZE);
    const r = decodeFuncRecord(mem.read(rec, FUNC_SIZE)!);
    let oldAddr = r.oldAddr;
    const name = readFuncName(mem, r.nameAddress);
    const where = `${SEC.funcs}[${i}]${name !== undefined ? ` (${name})` : ''}`;

    if (r.version !== LIVEPATCH_PAYLOAD_VERSION) {
      fail(Errno.EOPNOTSUPP, `${where}: version ${r.version}, expected ${LIVEPATCH_PAYLOAD_VERSION}`);
    }
    if (r.oldSize === 0) fail(Errno.EINVAL, `${where}: old_size is 0`);
    if (oldAddr === 0n) {
      if (r.nameAddress === 0n) {
        fail(Errno.EINVAL, `${where}: old_addr and name are both 0 (Xen 4.17 would dereference NULL)`);
      }
      if (name === undefined) {
        fail(Errno.EINVAL, `${where}: name pointer ${hex(r.nameAddress)} is unreadable (Xen 4.17 would fault)`);
      }
      const resolved = lookupByName(ctx, name);
      if (resolved === undefined) fail(Errno.ENOENT, `${where}: could not resolve old address of "${name}"`);
      oldAddr = resolved;
      mem.writeU64(rec + BigInt(LIVEPATCH_FUNC.oldAddr), oldAddr);
    }
    ctx.arch.verifyFunc({ ...r, oldAddr }, (a, len) => mem.read(a, len), where);
    if (r.newAddr !== 0n) {
      const distance = BigInt.asIntN(64, oldAddr - r.newAddr);
      if (distance < -ctx.arch.range || distance >= ctx.arch.range) {
        fail(Errno.EOVERFLOW, `${where}: old_addr ${hex(oldAddr)} and new_addr ${hex(r.newAddr)} are ` +
          `${hex(distance)} apart (more than ${Number(ctx.arch.range >> 30n)} GiB)`);
      }
    }
    funcs.push({ index: i, recordAddress: rec, name, ...r, oldAddr });
  }
  return { funcs, address: at };
}

/** The string a record's `name` points to, or undefined if the pointer is 0 or unreadable. */
export function readFuncName(mem: AddressSpace, address: bigint): string | undefined {
  if (address === 0n) return undefined;
  const bytes = mem.cstring(address, MAX_NAME);
  return bytes && decodeString(bytes, 0, bytes.length);
}

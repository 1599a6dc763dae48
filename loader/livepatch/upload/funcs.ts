// prepare_payload step 1 (spec §2.7, §1.3): validate `.livepatch.funcs`, resolve old_addr by name (written
// back into the image), arch_livepatch_verify_func and livepatch_verify_distance, one record at a time.
import { hex } from '../../elf/errors.ts';
import { decodeString } from '../../elf/reader.ts';
import { Errno, fail } from '../errno.ts';
import {
  ARCH_LIVEPATCH_RANGE, ARCH_PATCH_INSN_SIZE, ENDBR64, ENDBR64_LEN, ENDBR64_POISON, FUNC_SIZE,
  LIVEPATCH_PAYLOAD_VERSION, OPAQUE_SIZE, SEC,
} from './constants.ts';
import type { Layout } from './layout.ts';
import type { AddressSpace } from './memory.ts';
import { describe, findSection, type ElfModel } from './model.ts';
import { lookupByName } from './resolve.ts';
import type { Expectation, PreparedFunc, UploadContext } from './types.ts';

/** Longer names cannot match any symbol; reading stops there instead of walking memory forever. */
const MAX_NAME = 4096;

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
    const b = mem.read(rec, FUNC_SIZE)!;
    const v = new DataView(b.buffer, b.byteOffset, FUNC_SIZE);
    const nameAddress = v.getBigUint64(0, true);
    const newAddr = v.getBigUint64(8, true);
    let oldAddr = v.getBigUint64(16, true);
    const newSize = v.getUint32(24, true);
    const oldSize = v.getUint32(28, true);
    const version = v.getUint8(32);
    const expect = parseExpectation(b.subarray(72, FUNC_SIZE));
    const name = readName(mem, nameAddress);
    const where = `${SEC.funcs}[${i}]${name !== undefined ? ` (${name})` : ''}`;

    if (version !== LIVEPATCH_PAYLOAD_VERSION) {
      fail(Errno.EOPNOTSUPP, `${where}: version ${version}, expected ${LIVEPATCH_PAYLOAD_VERSION}`);
    }
    if (oldSize === 0) fail(Errno.EINVAL, `${where}: old_size is 0`);
    if (oldAddr === 0n) {
      if (nameAddress === 0n) {
        fail(Errno.EINVAL, `${where}: old_addr and name are both 0 (Xen 4.17 would dereference NULL)`);
      }
      if (name === undefined) {
        fail(Errno.EINVAL, `${where}: name pointer ${hex(nameAddress)} is unreadable (Xen 4.17 would fault)`);
      }
      const resolved = lookupByName(ctx, name);
      if (resolved === undefined) fail(Errno.ENOENT, `${where}: could not resolve old address of "${name}"`);
      oldAddr = resolved;
      mem.writeU64(rec + 16n, oldAddr);
    }
    verifyFunc(mem, where, newAddr, oldAddr, newSize, oldSize);
    if (newAddr !== 0n) {
      const distance = BigInt.asIntN(64, oldAddr - newAddr);
      if (distance < -ARCH_LIVEPATCH_RANGE || distance >= ARCH_LIVEPATCH_RANGE) {
        fail(Errno.EOVERFLOW, `${where}: old_addr ${hex(oldAddr)} and new_addr ${hex(newAddr)} are ` +
          `${hex(distance)} apart (more than 2 GiB)`);
      }
    }
    funcs.push({ index: i, recordAddress: rec, name, nameAddress, newAddr, oldAddr, newSize, oldSize, version, expect });
  }
  return { funcs, address: at };
}

/** x86 arch_livepatch_verify_func, plus a refusal where the later apply would underflow. */
function verifyFunc(
  mem: AddressSpace, where: string, newAddr: bigint, oldAddr: bigint, newSize: number, oldSize: number,
): void {
  if (newAddr === 0n) {
    if (newSize > OPAQUE_SIZE) fail(Errno.EOPNOTSUPP, `${where}: NOP new_size ${newSize} > ${OPAQUE_SIZE}`);
    if (oldSize < newSize) fail(Errno.EINVAL, `${where}: NOP new_size ${newSize} > old_size ${oldSize}`);
    // Xen does not look at old_addr here, but apply NOPs new_size - 4 (unsigned) bytes after an ENDBR64.
    const head = mem.read(oldAddr, ENDBR64_LEN);
    if (head && newSize < ENDBR64_LEN && startsWithEndbr(head)) {
      fail(Errno.EINVAL, `${where}: NOP new_size ${newSize} < ${ENDBR64_LEN} at ${hex(oldAddr)}, which starts ` +
        'with ENDBR64 (Xen 4.17 would underflow the NOP length at apply)');
    }
    return;
  }
  const head = mem.read(oldAddr, ENDBR64_LEN);
  if (!head) fail(Errno.EINVAL, `${where}: old_addr ${hex(oldAddr)} is not mapped (Xen 4.17 would fault)`);
  const needed = ARCH_PATCH_INSN_SIZE + (startsWithEndbr(head) ? ENDBR64_LEN : 0);
  if (oldSize < needed) {
    fail(Errno.EINVAL, `${where}: old_size ${oldSize} < ${needed} bytes needed for the jump` +
      `${needed > ARCH_PATCH_INSN_SIZE ? ' after ENDBR64' : ''}`);
  }
}

export function startsWithEndbr(head: Uint8Array): boolean {
  const is = (p: Uint8Array) => p.every((b, i) => head[i] === b);
  return is(ENDBR64) || is(ENDBR64_POISON);
}

function readName(mem: AddressSpace, address: bigint): string | undefined {
  if (address === 0n) return undefined;
  const bytes = mem.cstring(address, MAX_NAME);
  return bytes && decodeString(bytes, 0, bytes.length);
}

function parseExpectation(b: Uint8Array): Expectation {
  const bits = b[0]!;
  return { enabled: (bits & 1) !== 0, len: (bits >> 1) & 0x1f, rsv: bits >> 6, data: Uint8Array.from(b.subarray(1)) };
}

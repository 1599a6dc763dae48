// Checks of common/livepatch.c that gate an action: names (get_name), stacking (build_id_dep) and old-code
// verification (check_expectations).
import { LIVEPATCH_EXPECTATION, XEN_LIVEPATCH_NAME_SIZE } from '../abi.ts';
import { Errno, fail } from './errno.ts';
import type { Payload } from './payload.ts';

/** Xen compares names with strcmp: bytes after the first NUL do not count. */
export function normaliseName(name: string): string {
  const size = Buffer.byteLength(name, 'latin1') + 1;
  if (size > XEN_LIVEPATCH_NAME_SIZE) fail(Errno.EINVAL, `name is ${size} bytes with its NUL (at most ${XEN_LIVEPATCH_NAME_SIZE})`);
  const nul = name.indexOf('\0');
  return nul < 0 ? name : name.slice(0, nul);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

/** build_id_dep(): what this payload says it stacks on must be Xen (nothing applied, or REPLACE) or the top. */
export function checkDepends(p: Payload, xenBuildId: Uint8Array, top: Payload | undefined): void {
  const want = top ? top.buildId : xenBuildId;
  if (!same(p.prepared.depends, want)) {
    fail(
      Errno.EINVAL,
      `${p.name} depends on ${hex(p.prepared.depends)} but ${top ? `the top applied payload ${top.name} is` : 'the hypervisor is'} ${hex(want)}`,
    );
  }
}

/** check_expectations(): the first `len` bytes at old_addr, as they are now, must match. */
export function checkExpectations(p: Payload, read: (a: bigint, n: number) => Uint8Array): void {
  for (const f of p.prepared.funcs) {
    const e = f.expect;
    if (!e.enabled) continue;
    const what = `${p.name}: expectation for ${f.name ?? `func ${f.index}`}`;
    if (f.oldAddr === 0n) fail(Errno.EFAULT, `${what}: old_addr is 0`);
    const max = LIVEPATCH_EXPECTATION.dataSize;
    if (e.len > max) fail(Errno.EOVERFLOW, `${what}: len ${e.len} > ${max}`);
    if (e.rsv !== 0) fail(Errno.EINVAL, `${what}: reserved bits set`);
    if (f.oldSize < e.len) fail(Errno.ERANGE, `${what}: len ${e.len} > old_size ${f.oldSize}`);
    const now = read(f.oldAddr, e.len);
    if (!same(now, e.data.subarray(0, e.len))) {
      fail(Errno.EINVAL, `${what}: found ${hex(now)}, expected ${hex(e.data.subarray(0, e.len))}`);
    }
  }
}

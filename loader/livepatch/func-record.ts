// The one decoder of a `.livepatch.funcs` record (struct livepatch_func, layout in loader/abi.ts), used by
// upload, lint and explore alike.
import { LIVEPATCH_EXPECTATION, LIVEPATCH_FUNC } from '../abi.ts';

/** struct livepatch_expectation: enabled, len (0..31), rsv (must be 0), data. */
export interface Expectation {
  enabled: boolean;
  len: number;
  rsv: number;
  /** LIVEPATCH_EXPECTATION.dataSize bytes. */
  data: Uint8Array;
}

export interface FuncRecord {
  nameAddress: bigint;
  newAddr: bigint;
  oldAddr: bigint;
  newSize: number;
  oldSize: number;
  version: number;
  expect: Expectation;
}

/** `b` holds at least LIVEPATCH_FUNC.size bytes. */
export function decodeFuncRecord(b: Uint8Array): FuncRecord {
  const F = LIVEPATCH_FUNC;
  const v = new DataView(b.buffer, b.byteOffset, F.size);
  return {
    nameAddress: v.getBigUint64(F.name, true),
    newAddr: v.getBigUint64(F.newAddr, true),
    oldAddr: v.getBigUint64(F.oldAddr, true),
    newSize: v.getUint32(F.newSize, true),
    oldSize: v.getUint32(F.oldSize, true),
    version: v.getUint8(F.version),
    expect: decodeExpectation(b.subarray(F.expect, F.expect + LIVEPATCH_EXPECTATION.size)),
  };
}

export function decodeExpectation(b: Uint8Array): Expectation {
  const E = LIVEPATCH_EXPECTATION;
  const bits = b[E.bits]!;
  return {
    enabled: (bits & 1) !== 0, len: (bits >> 1) & 0x1f, rsv: bits >> 6,
    data: Uint8Array.from(b.subarray(E.data, E.data + E.dataSize)),
  };
}

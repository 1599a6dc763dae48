// What the model needs to know about a loaded payload, read the way Xen sees it: the relocated
// .livepatch.funcs records and hook slots in guest memory, plus the notes and flags upload found.
import type { LivepatchHost } from '../../loader/livepatch/host.ts';

export interface FuncInfo {
  name: string | undefined;
  oldAddr: bigint;
  newAddr: bigint;
  newSize: number;
  oldSize: number;
  expect: { enabled: boolean; len: number; rsv: number; data: Uint8Array };
}

export interface HookFlags {
  preApply: boolean;
  apply: boolean;
  postApply: boolean;
  preRevert: boolean;
  revert: boolean;
  postRevert: boolean;
}

export interface PayloadInfo {
  name: string;
  buildId: string;
  depends: string;
  safeToReapply: boolean;
  hooks: HookFlags;
  funcs: FuncInfo[];
}

const RECORD = 104;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** struct livepatch_func (spec §1.3): name@0, new_addr@8, old_addr@16, new_size@24, old_size@28, expect@72. */
function decodeFunc(host: LivepatchHost, rec: Buffer): FuncInfo {
  const namePtr = rec.readBigUInt64LE(0);
  let name: string | undefined;
  try {
    name = namePtr ? host.machine.readCString(namePtr, 256) : undefined;
  } catch {
    name = undefined;
  }
  const bits = rec[72]!;
  return {
    name,
    newAddr: rec.readBigUInt64LE(8),
    oldAddr: rec.readBigUInt64LE(16),
    newSize: rec.readUInt32LE(24),
    oldSize: rec.readUInt32LE(28),
    expect: { enabled: (bits & 1) === 1, len: (bits >> 1) & 0x1f, rsv: bits >> 6, data: Uint8Array.from(rec.subarray(73, 104)) },
  };
}

export function readPayloadInfo(host: LivepatchHost, name: string): PayloadInfo {
  const p = host.payload(name);
  const m = host.machine;
  const pr = p.prepared;
  const funcs: FuncInfo[] = [];
  if (pr.funcsAddress !== undefined) {
    const bytes = m.read(pr.funcsAddress, pr.funcs.length * RECORD);
    for (let i = 0; i < pr.funcs.length; i++) funcs.push(decodeFunc(host, bytes.subarray(i * RECORD, (i + 1) * RECORD)));
  }
  // A hook is enabled iff its slot exists and holds a non-NULL pointer (read now: slots are writable).
  const on = (slot: { slot: bigint } | undefined): boolean => slot !== undefined && m.readU64(slot.slot) !== 0n;
  const h = pr.hooks;
  return {
    name,
    buildId: hex(pr.buildId),
    depends: hex(pr.depends),
    safeToReapply: pr.safeToReapply,
    hooks: {
      preApply: on(h.preApply), apply: on(h.apply), postApply: on(h.postApply),
      preRevert: on(h.preRevert), revert: on(h.revert), postRevert: on(h.postRevert),
    },
    funcs,
  };
}

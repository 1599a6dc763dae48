// What the model needs to know about a loaded payload, read the way Xen sees it: the relocated
// .livepatch.funcs records and hook slots in guest memory, plus the notes and flags upload found.
import { LIVEPATCH_FUNC } from '../../loader/abi.ts';
import { decodeFuncRecord } from '../../loader/livepatch/func-record.ts';
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

const RECORD = LIVEPATCH_FUNC.size;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** struct livepatch_func as it is in guest memory now (the loader's one decoder), with its name read. */
function decodeFunc(host: LivepatchHost, rec: Buffer): FuncInfo {
  const r = decodeFuncRecord(rec);
  let name: string | undefined;
  try {
    name = r.nameAddress ? host.machine.readCString(r.nameAddress, 256) : undefined;
  } catch {
    name = undefined;
  }
  return { name, newAddr: r.newAddr, oldAddr: r.oldAddr, newSize: r.newSize, oldSize: r.oldSize, expect: r.expect };
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

// A fake hypervisor for UPLOAD tests: a symbol Map, a sparse memory map for peek, a fixed build-id, a bump
// allocator that records every reserve() call, and P6 NOPs.
import { LivepatchError, Errno } from '../../../loader/livepatch/errno.ts';
import type { UploadContext } from '../../../loader/livepatch/upload/index.ts';

export const XEN_BUILD_ID = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);
/** First address handed out by reserve (Debian's __2M_rwdata_end plus the bitmap page and a guard page). */
export const VMAP_START = 0xffff82d0405a9000n;
export const X86_FEATURE_ALWAYS = 0x5d;
export const X86_FEATURE_XEN_SMAP = 0x26b;
export const MAX_FEATURE = 22 * 32;

const P6_NOPS: readonly number[][] = [
  [], [0x90], [0x66, 0x90], [0x0f, 0x1f, 0x00], [0x0f, 0x1f, 0x40, 0x00], [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00], [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00], [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];
/** K8 NOPs: runs of 0x66 prefixes before 0x90 (what Xen picks on old AMD/Intel parts). */
const K8_NOPS: readonly number[][] = [
  [], [0x90], [0x66, 0x90], [0x66, 0x66, 0x90], [0x66, 0x66, 0x66, 0x90], [0x66, 0x66, 0x90, 0x66, 0x90],
  [0x66, 0x66, 0x90, 0x66, 0x66, 0x90], [0x66, 0x66, 0x66, 0x90, 0x66, 0x66, 0x90],
  [0x66, 0x66, 0x66, 0x90, 0x66, 0x66, 0x66, 0x90], [0x66, 0x66, 0x90, 0x66, 0x66, 0x90, 0x66, 0x66, 0x90],
];

export function nopsFrom(table: readonly number[][]): (length: number) => Uint8Array {
  return (length) => {
    const out: number[] = [];
    for (let left = length; left > 0; left -= Math.min(left, 9)) out.push(...table[Math.min(left, 9)]!);
    return Uint8Array.from(out);
  };
}
export const p6Nops = nopsFrom(P6_NOPS);
export const k8Nops = nopsFrom(K8_NOPS);

export interface FakeContext extends UploadContext {
  xenSymbols: Map<string, bigint>;
  payloadSymbols: Map<string, bigint>;
  /** Mapped memory: start address -> bytes. */
  memory: Map<bigint, Uint8Array>;
  reserveCalls: number[];
  loadedNames: string[];
  loadedBuildIds: Uint8Array[];
  cpuFeatures: Set<number>;
  /** When set, reserve() fails with ENOMEM. */
  outOfMemory: boolean;
}

export function fakeContext(init: Partial<Pick<FakeContext, 'xenSymbols' | 'memory' | 'xenBuildId'>> = {}): FakeContext {
  let next = VMAP_START;
  const ctx: FakeContext = {
    xenSymbols: init.xenSymbols ?? new Map(),
    payloadSymbols: new Map(),
    memory: init.memory ?? new Map(),
    reserveCalls: [],
    loadedNames: [],
    loadedBuildIds: [],
    cpuFeatures: new Set([X86_FEATURE_ALWAYS]),
    outOfMemory: false,
    xenBuildId: 'xenBuildId' in init ? init.xenBuildId : XEN_BUILD_ID,
    maxFeature: MAX_FEATURE,
    lookupXenSymbol: (name) => ctx.xenSymbols.get(name),
    lookupPayloadSymbol: (name) => ctx.payloadSymbols.get(name),
    peek(address, length) {
      for (const [start, bytes] of ctx.memory) {
        const end = start + BigInt(bytes.length);
        if (address >= start && address + BigInt(length) <= end) {
          const o = Number(address - start);
          return bytes.slice(o, o + length);
        }
      }
      return undefined;
    },
    reserve(pages) {
      ctx.reserveCalls.push(pages);
      if (ctx.outOfMemory) throw new LivepatchError(Errno.ENOMEM, `cannot reserve ${pages} pages`);
      const base = next;
      next += BigInt(pages + 1) * 0x1000n; // a guard page between allocations, as vmap does
      return base;
    },
    nops: p6Nops,
  };
  return ctx;
}

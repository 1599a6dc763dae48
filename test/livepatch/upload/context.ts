// A fake hypervisor for UPLOAD tests: a symbol Map, a sparse memory map for peek, a fixed build-id, a bump
// allocator that records every reserve() call, and the x86 arch with Xen 4.17's rules (P6 NOPs unless a test
// picks K8; CPU features a test may add to).
import { BASELINE_RULES } from '../../../loader/livepatch/versions.ts';
import { createX86Arch, type NopFlavour } from '../../../loader/arch/x86/index.ts';
import type { LivepatchArch } from '../../../loader/arch/types.ts';
import { LivepatchError, Errno } from '../../../loader/livepatch/errno.ts';
import type { UploadContext } from '../../../loader/livepatch/upload/index.ts';

export const XEN_BUILD_ID = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);
/** First address handed out by reserve (Debian's __2M_rwdata_end plus the bitmap page and a guard page). */
export const VMAP_START = 0xffff82d0405a9000n;
export const X86_FEATURE_ALWAYS = 0x5d;
export const X86_FEATURE_XEN_SMAP = 0x26b;
/** NCAPINTS * 32 in Xen 4.17.7: 19 featureset words + synthetic + bug word (spec §2.7). */
export const MAX_FEATURE = 21 * 32;

const P6_NOPS: readonly number[][] = [
  [], [0x90], [0x66, 0x90], [0x0f, 0x1f, 0x00], [0x0f, 0x1f, 0x40, 0x00], [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00], [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00], [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];
/** K8 NOPs as asm/nops.h builds them: K8_NOP1..4 are 0x66 runs before 0x90, K8_NOP5 = NOP3,NOP2, ... */
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
  nopFlavour: NopFlavour;
  /** The Xen version whose x86 rules the arch follows (`4.17` unless a test says otherwise). */
  version: string;
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
    nopFlavour: 'p6',
    version: '4.17',
    outOfMemory: false,
    rules: BASELINE_RULES,
    xenBuildId: 'xenBuildId' in init ? init.xenBuildId : XEN_BUILD_ID,
    // Built on each use so that a test's changes to cpuFeatures/nopFlavour count.
    get arch(): LivepatchArch {
      const none = { start: 0n, pages: 0 };
      return createX86Arch(
        { version: ctx.version, ncapints: undefined, windows: { area: none, heap: none } },
        { cpuFeatures: ctx.cpuFeatures, nops: ctx.nopFlavour },
      );
    },
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
  };
  return ctx;
}

// Xen 4.17's binary interface for live patching on x86-64, in one place: the struct layouts and sizes that
// upload, lint, explore, the guest-visible struct payload and the tests all read (spec §0, §1.3-1.4, §5).
// Offsets are bytes from the start of each record; every multi-byte field is little-endian.
import { rowFor } from './image/version.ts';
import { Errno } from './livepatch/errno.ts';

export const PAGE_SIZE = 4096;
/** LIVEPATCH_MAX_SIZE: largest upload, and largest writable/alloc NOBITS section. */
export const LIVEPATCH_MAX_SIZE = 2 * 1024 * 1024;
/** XEN_LIVEPATCH_NAME_SIZE, NUL included. */
export const XEN_LIVEPATCH_NAME_SIZE = 128;
export const LIVEPATCH_PAYLOAD_VERSION = 2;
/** LIVEPATCH_OPAQUE_SIZE: the saved-bytes buffer (opaque[] in 4.14-4.17.2, fstate.insn_buffer since). */
export const LIVEPATCH_OPAQUE_SIZE = 31;

/** struct livepatch_func (public/sysctl.h, payload version 2; v1 was 64 bytes). */
export const LIVEPATCH_FUNC = {
  name: 0, newAddr: 8, oldAddr: 16, newSize: 24, oldSize: 28, version: 32, opaque: 33, expect: 72, size: 104,
} as const;

/** struct livepatch_expectation at LIVEPATCH_FUNC.expect: byte 0 bit0 enabled, bits1-5 len, bits6-7 rsv. */
export const LIVEPATCH_EXPECTATION = { bits: 0, data: 1, dataSize: 31, size: 32 } as const;

/** struct payload (common/livepatch.c, 4.17 stable), as hooks see it. */
export const PAYLOAD = {
  state: 0, rc: 4, reverted: 8, safeToReapply: 9, list: 16, textAddr: 32, textSize: 40, rwAddr: 48, rwSize: 56,
  roAddr: 64, roSize: 72, pages: 80, appliedList: 88, funcs: 104, fstate: 112, nfuncs: 120, symtab: 128,
  strtab: 136, region: 144, nsyms: 280, id: 288, dep: 304, xenDep: 320, loadFuncs: 336, unloadFuncs: 344,
  hooks: 352, nLoadFuncs: 400, nUnloadFuncs: 404, name: 408, metadata: 536, size: 552,
} as const;

/** The fields of struct payload xlp writes or reads; a version that dropped one leaves it out. */
export type PayloadLayout = Omit<typeof PAYLOAD, 'xenDep'> & { readonly xenDep?: number };

/**
 * struct payload in 4.20 (Debian 13): `xen_dep` is gone (fa49f4be41 checks the Xen build-id before layout and
 * keeps nothing), so every field after `dep` moves up 16 bytes. Checked against the image's DWARF in tests.
 */
export const PAYLOAD_4_20: PayloadLayout = (() => {
  const { xenDep: _gone, ...rest } = PAYLOAD;
  const moved = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v > PAYLOAD.xenDep ? v - 16 : v]));
  return moved as unknown as PayloadLayout;
})();

/** struct livepatch_fstate (4.17.3+): per-function state kept apart from .livepatch.funcs. */
export const FSTATE = { patchOffset: 0, applied: 4, insnBuffer: 8, size: 40 } as const;

/** A hook slot: one function pointer. */
export const HOOK_SIZE = 8;

/** list_del() poison (xen/include/xen/list.h). */
export const LIST_POISON1 = 0x0100100100100100n;
export const LIST_POISON2 = 0x0200200200200200n;

// ---- x86-64 record formats ------------------------------------------------------------------------------

/** struct alt_instr (asm/alternative.h, packed): offsets are relative to their own field. */
export const ALT_INSTR = {
  origOffset: 0, replOffset: 4, cpuid: 8, origLen: 10, replLen: 11, padLen: 12, priv: 13, size: 14,
} as const;
/** ALT_FLAG_NOT: `ALT_NOT(feature)` replaces when the feature is absent. */
export const ALT_FLAG_NOT = 1 << 15;

/** struct exception_table_entry { s32 addr; s32 cont; } (asm/uaccess.h), both self-relative. */
export const EXTABLE_ENTRY = { addr: 0, cont: 4, size: 8 } as const;

/** struct bug_frame (asm/bug.h): two packed words; assert frames append { 0, msg_disp }. */
export const BUG_FRAME = { size: 8, assertSize: 16, types: 4 } as const;

/**
 * What differs between Xen versions on x86-64 and that an image does not always show. NCAPINTS = featureset
 * words + one synthetic + one bug word; 4.17 has 19 featureset words (spec §2.7).
 */
export interface VersionAbi {
  readonly version: string;
  readonly ncapints: number;
  /**
   * What _apply_alternatives() returns for a bad entry (an errno, negated by the caller), where Xen 4.17 BUG_ON()s
   * (xlp then refuses with -EINVAL: docs/differences.md). 4.20 ("x86/alternative: do not BUG on bad entries",
   * the livepatch build-id series): -ENOSPC for a replacement or patch site too long, -ERANGE for a feature
   * outside the featureset.
   */
  readonly alternativeErrors?: { readonly tooLong: number; readonly badFeature: number };
}

/** Newest first; the last row is the baseline for an unknown or older version. */
const VERSION_ABI: readonly (VersionAbi & { readonly since: readonly [number, number, number] })[] = [
  { since: [4, 20, 0], version: '4.20', ncapints: 21, alternativeErrors: { tooLong: Errno.ENOSPC, badFeature: Errno.ERANGE } },
  { since: [4, 17, 0], version: '4.17', ncapints: 21 },
];

/** The entry for `major.minor`, read like the rules table (rowFor): the newest at or below it, else the baseline. */
export function versionAbi(version: string | undefined): VersionAbi {
  const [major = 0, minor = 0] = version?.split('.').map(Number) ?? [];
  return rowFor(VERSION_ABI, version === undefined ? undefined : { major, minor, point: 0 }) ?? VERSION_ABI.at(-1)!;
}

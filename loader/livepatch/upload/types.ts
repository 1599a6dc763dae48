// Public types of the UPLOAD pipeline (see index.ts). Addresses are bigint; sizes that fit a payload are numbers.
import type { LivepatchRules } from '../versions.ts';
import type { LivepatchArch } from '../../arch/types.ts';
import type { RawBugFrame } from '../../image/bug-frames.ts';
import type { ExceptionEntry } from '../../image/exception-table.ts';

/** What the hypervisor around the payload provides; the only side effect allowed is `reserve`. */
export interface UploadContext {
  /** Xen's symbols_lookup_by_name: globals plain, statics `path#name`; undefined or 0 = not found. */
  lookupXenSymbol(name: string): bigint | undefined;
  /** "New" symbols of all loaded payloads, upload order, any state; undefined or 0 = not found. */
  lookupPayloadSymbol(name: string): bigint | undefined;
  /** Current memory outside this payload; undefined if (partly) unmapped. */
  peek(address: bigint, length: number): Uint8Array | undefined;
  /** The running Xen's build-id; undefined => -ENODATA at step (i). */
  xenBuildId: Uint8Array | undefined;
  /** Names of loaded payloads (duplicate => -EEXIST). */
  loadedNames: readonly string[];
  /** Build-ids of loaded payloads (duplicate => -EEXIST). */
  loadedBuildIds: readonly Uint8Array[];
  /** Base address of `pages` fresh pages; throws LivepatchError(ENOMEM). The caller releases it on failure. */
  reserve(pages: number): bigint;
  /** The architecture's part of the checks and of the loading (Xen's arch_livepatch_*). */
  arch: LivepatchArch;
  /** The generic rules of the running Xen's version (upload order, build-id errnos). */
  rules: LivepatchRules;
}

export interface PreparedSection {
  index: number;
  name: string;
  address: bigint;
  size: number;
  flags: bigint;
  type: number;
}

import type { FuncRecord } from '../func-record.ts';
export type { Expectation } from '../func-record.ts';

/** A decoded record where upload left it; `oldAddr` is after resolution by name (also written back). */
export interface PreparedFunc extends FuncRecord {
  index: number;
  /** Address of this record (LIVEPATCH_FUNC in loader/abi.ts) in payload memory. */
  recordAddress: bigint;
  /** The string `name` points to (undefined if the pointer is 0 or unreadable). */
  name: string | undefined;
}

/** Address of an 8-byte hook slot and the function pointer in it (0 = disabled). */
export interface HookSlot {
  slot: bigint;
  fn: bigint;
}

export interface PreparedHooks {
  load: HookSlot[];
  unload: HookSlot[];
  preApply?: HookSlot;
  apply?: HookSlot;
  postApply?: HookSlot;
  preRevert?: HookSlot;
  revert?: HookSlot;
  postRevert?: HookSlot;
}

export interface PayloadSymbol {
  name: string;
  address: bigint;
  size: number;
  type: number;
  local: boolean;
  /** False for "overriding" symbols (value equals some funcs[j].new_addr). */
  isNew: boolean;
}

export interface Region {
  address: bigint;
  size: number;
}

export interface PreparedPayload {
  name: string;
  base: bigint;
  pages: number;
  text: Region;
  rw: Region;
  ro: Region;
  /** pages * PAGE_SIZE bytes as they must be in memory. */
  image: Buffer;
  /** Every SHF_ALLOC section with its address (zero-size ones too), header order. */
  sections: PreparedSection[];
  funcs: PreparedFunc[];
  funcsAddress: bigint | undefined;
  hooks: PreparedHooks;
  loadFuncs: { address: bigint; count: number } | undefined;
  unloadFuncs: { address: bigint; count: number } | undefined;
  buildId: Uint8Array;
  depends: Uint8Array;
  xenDepends: Uint8Array;
  /** Sorted. */
  exTable: { address: bigint; entries: ExceptionEntry[] } | undefined;
  bugFrames: RawBugFrame[];
  /** .modinfo bytes. */
  metadata: Uint8Array | undefined;
  /** build_symbol_table's kept symbols, symbol-table order. */
  symbols: PayloadSymbol[];
  safeToReapply: boolean;
  /** How many code alternatives the architecture wrote at upload (arch.applyAlternatives). */
  alternativesApplied: number;
}

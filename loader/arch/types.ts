// The seam between generic live patching (Xen's common/livepatch.c, loader/livepatch) and one architecture's
// mechanics (Xen's arch_livepatch_* and what they rely on). The generic code only talks to an object of this
// type, chosen per image (loader/arch/index.ts), so a second architecture or another Xen version's rules plug
// in here without touching loader/livepatch.
import type { ExceptionEntry } from '../image/exception-table.ts';
import type { RawBugFrame } from '../image/bug-frames.ts';
import type { Layout } from '../livepatch/upload/layout.ts';
import type { ElfModel, Section } from '../livepatch/upload/model.ts';
import type { ResolvedSymbols } from '../livepatch/upload/resolve.ts';

/** Reading and writing the hypervisor's text while quiesced. */
export interface TextAccess {
  read(address: bigint, length: number): Uint8Array;
  /** Must make the new bytes visible to the CPU at once (translation caches). */
  write(address: bigint, bytes: Uint8Array): void;
}

/** One `.livepatch.funcs` entry as arch_livepatch_apply/revert see it. */
export interface PatchSite {
  oldAddr: bigint;
  newAddr: bigint;
  newSize: number;
}

/** What arch_livepatch_apply leaves in struct livepatch_fstate. */
export interface SavedPatch {
  patchOffset: number;
  saved: Uint8Array;
}

/** The fields arch_livepatch_verify_func looks at. */
export interface FuncToVerify {
  newAddr: bigint;
  oldAddr: bigint;
  newSize: number;
  oldSize: number;
}

/** One RELA section to apply (arch_livepatch_perform_rela), after the generic checks of its header. */
export interface RelaJob {
  elf: ElfModel;
  layout: Layout;
  syms: ResolvedSymbols;
  rela: Section;
  target: Section;
  /** Load address of `target`. */
  base: bigint;
}

/** Where payload memory comes from: Xen's vmap area for payloads and its heap for struct payload. */
export interface MemoryWindows {
  area: { start: bigint; pages: number };
  heap: { start: bigint; pages: number };
}

export interface LivepatchArch {
  /** ARCH_LIVEPATCH_RANGE: |old_addr - new_addr| must be below this (livepatch_verify_distance). */
  readonly range: bigint;

  /** arch_livepatch_verify_elf: machine, class, byte order (after the generic header checks). */
  verifyElf(bytes: Uint8Array): void;
  /** arch_livepatch_verify_func, `read` giving current memory (undefined where unmapped). */
  verifyFunc(f: FuncToVerify, read: (address: bigint, length: number) => Uint8Array | undefined, where: string): void;
  /** arch_livepatch_perform_rela. */
  performRela(job: RelaJob): void;
  /** prepare_payload's alternatives step: bounds of every entry, then apply_alternatives() on the payload.
   *  Returns how many replacements were written. */
  applyAlternatives(elf: ElfModel, layout: Layout): number;

  /** arch_livepatch_apply: write the trampoline (or NOPs), return what to restore. */
  apply(site: PatchSite, text: TextAccess): SavedPatch;
  /** arch_livepatch_revert. */
  revert(site: PatchSite, saved: SavedPatch, text: TextAccess): void;
  /** arch_livepatch_quiesce / arch_livepatch_revive around an action. */
  quiesce(): void;
  revive(): void;

  /** Payload memory and heap windows for this image. */
  readonly windows: MemoryWindows;
  /** The exception-table record format: size, and Xen's in-place sort of a payload's table. */
  readonly exTable: {
    readonly entrySize: number;
    sort(bytes: Uint8Array, address: bigint): { entries: ExceptionEntry[]; bytes: Uint8Array };
  };
  /** The bug-frame record format. */
  readonly bugFrames: {
    readonly frameSize: number;
    readonly types: number;
    decode(type: number, bytes: Uint8Array, address: bigint): RawBugFrame[];
  };
}

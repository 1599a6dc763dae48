// Xen 4.17's XEN_SYSCTL_LIVEPATCH_UPLOAD as a pure pipeline (spec §2 steps (a)-(j)): payload bytes in, the
// exact pages that must be mapped plus all metadata out, or a LivepatchError carrying Xen's errno for the first
// check that fails, in Xen's order. The only side effect is ctx.reserve (at most once, during layout).
//
// Deliberate differences from Xen 4.17 (also in docs/differences.md, "Upload"); each is a case where Xen would
// crash, read or write memory it does not own, or silently corrupt the payload:
//  - ALLOC section with sh_addralign 0 (#15): laid out as Xen does (ROUNDUP(x, 0) == 0); -EINVAL only where it
//    lands on an earlier section or leaves one past the end of its region.
//  - RELA/REL section with sh_info 0: NULL section header dereference (#16) -> -EINVAL.
//  - Symbol table with sh_link 0: NULL string-table dereference (#16) -> -EINVAL.
//  - funcs entry with old_addr 0 and name NULL: NULL dereference (#16) -> -EINVAL; unreadable name -> -EINVAL.
//  - The architecture's own refusals (verify_func, relocations, code alternatives) are listed in its module.
//  - A known section that Xen uses through its load address but that is not SHF_ALLOC (load address NULL):
//    .livepatch.funcs, hook arrays, build-id notes, .bug_frames.N, .ex_table, .modinfo (and the arch's own sections)
//    -> -EINVAL. (Single hooks stay faithful: a NULL slot means "no hook".)
//  - Empty .modinfo at the very start of the allocation: Xen reads the byte before it (guard page) -> -EINVAL.
//  - Section data whose sh_offset + sh_size wraps 2^64 (passes Xen's check) is refused when read -> -EINVAL.
//  - Layout larger than 1 GiB -> -ENOMEM without calling ctx.reserve (Xen's vmalloc would fail the same way).
//  - No ALLOC bytes at all: Xen asks vmalloc for 0 pages; we reserve 1 (such a payload fails later anyway).
import { prepareBugFrames } from './bug-frames.ts';
import { checkXenDepends, checkXenDependsEarly, prepareBuildIds } from './build-id.ts';
import { loadElf } from './elf-load.ts';
import { sortExceptionTable } from './extable.ts';
import { prepareFuncs } from './funcs.ts';
import { prepareHooks } from './hooks.ts';
import { layOut } from './layout.ts';
import { prepareMetadata } from './modinfo.ts';
import { isAlloc } from './model.ts';
import { performRelocations } from './relocate.ts';
import { checkRequest } from './request.ts';
import { resolveSymbols } from './resolve.ts';
import { checkPatchingSections, checkSpecialSections } from './section-presence.ts';
import { buildSymbolTable } from './symbol-table.ts';
import type { PreparedPayload, PreparedSection, UploadContext } from './types.ts';

export type {
  Expectation, HookSlot, PayloadSymbol, PreparedFunc, PreparedHooks, PreparedPayload, PreparedSection, Region,
  UploadContext,
} from './types.ts';
export type { ExceptionEntry } from '../../image/exception-table.ts';
export type { RawBugFrame } from '../../image/bug-frames.ts';

/**
 * `name` is sent like libxc does when it is a string (UTF-8 + NUL); a Uint8Array is the raw name buffer
 * (its length is the hypercall's name size).
 */
export function preparePayload(name: string | Uint8Array, bytes: Uint8Array, ctx: UploadContext): PreparedPayload {
  const payloadName = checkRequest(name, bytes, ctx); // (a)
  const elf = loadElf(bytes, ctx.arch); // (b)
  const xenDepends = ctx.rules.xenDependsBeforeLayout ? checkXenDependsEarly(elf, ctx) : undefined; // 4.20
  const layout = layOut(elf, ctx); // (c)
  const syms = resolveSymbols(elf, layout, ctx); // (d)
  performRelocations(elf, layout, syms, ctx.arch); // (e)
  checkSpecialSections(elf); // (f)
  checkPatchingSections(elf); // (g)

  // (h) prepare_payload, steps 1-10 in order.
  const funcs = prepareFuncs(elf, layout, ctx);
  const hooks = prepareHooks(elf, layout);
  const ids = prepareBuildIds(elf, layout, ctx, xenDepends);
  const bugFrames = prepareBugFrames(elf, layout, ctx.arch);
  const alternativesApplied = ctx.arch.applyAlternatives(elf, layout);
  const exTable = sortExceptionTable(elf, layout, ctx.arch);
  const metadata = prepareMetadata(elf, layout);

  if (!xenDepends) checkXenDepends(ids.xenDepends, ctx); // (i), up to 4.19
  const symbols = buildSymbolTable(elf, syms, funcs.funcs, ctx); // (j)

  const sections: PreparedSection[] = [];
  for (let i = 1; i < elf.shnum; i++) {
    const s = elf.sections[i]!;
    if (!isAlloc(s)) continue;
    sections.push({ index: i, name: s.name, address: layout.address[i]!, size: Number(s.size), flags: s.flags, type: s.type });
  }
  return {
    name: payloadName, base: layout.base, pages: layout.pages,
    text: layout.text, rw: layout.rw, ro: layout.ro, image: layout.memory.image, sections,
    funcs: funcs.funcs, funcsAddress: funcs.address, ...hooks, ...ids, exTable, bugFrames, metadata, symbols,
    safeToReapply: layout.safeToReapply, alternativesApplied,
  };
}

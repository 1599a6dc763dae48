// A payload as lint sees it: taken through the upload pipeline's own stages (ELF checks, layout, symbol
// resolution, relocations, build-id notes, symbol table) against the image's symbols, without stopping at the
// first problem where a later rule can still say something useful.
import { BASELINE_RULES } from '../livepatch/versions.ts';
import { basename } from 'node:path';
import { R_X86_64_PC32, R_X86_64_PLT32, RELA_SIZE, SHN_UNDEF, SHT_RELA, STT_FILE, STT_OBJECT } from '../elf/index.ts';
import { archForMachine, type LivepatchArch } from '../arch/index.ts';
import { LivepatchError } from '../livepatch/errno.ts';
import { prepareBuildIds, type BuildIds } from '../livepatch/upload/build-id.ts';
import { loadElf } from '../livepatch/upload/elf-load.ts';
import { layOut, type Layout } from '../livepatch/upload/layout.ts';
import { SEC } from '../livepatch/upload/constants.ts';
import { findSection, fileData, forEachRela, type ElfModel } from '../livepatch/upload/model.ts';
import { performRelocations } from '../livepatch/upload/relocate.ts';
import { resolveSymbols } from '../livepatch/upload/resolve.ts';
import { checkSpecialSections } from '../livepatch/upload/section-presence.ts';
import { buildSymbolTable } from '../livepatch/upload/symbol-table.ts';
import type { PayloadSymbol, PreparedFunc, UploadContext } from '../livepatch/upload/types.ts';
import { COMMENT_SECTION, sectionStrings } from './comment.ts';
import { readFuncs } from './funcs.ts';
import type { LintImage } from './image-model.ts';

/** A symbol the payload keeps (Xen exports it unless it overrides a patched function). */
export interface KeptSymbol extends PayloadSymbol {
  /** Preceding STT_FILE of its definition: which source file the compiler made it for. */
  file: string | undefined;
  isObject: boolean;
}

/** An undefined symbol: Xen binds it by name to the image, then to earlier payloads. */
export interface Reference {
  name: string;
  /** Where it resolved; undefined = nowhere (Xen: -ENOENT). */
  address: bigint | undefined;
  /** Lowest byte offset into the target that some relocation is known to reach. */
  uses: { type: number; minOffset: bigint }[];
}

export interface LintPayload {
  path: string;
  name: string;
  /** A check of Xen's that fails before anything else can be looked at (bad ELF, relocation overflow...). */
  refused: LivepatchError | undefined;
  ids: BuildIds | undefined;
  /** Why `ids` is missing. */
  idsError: LivepatchError | undefined;
  funcs: PreparedFunc[];
  /** Size of .livepatch.funcs (undefined if absent). */
  funcsSize: bigint | undefined;
  kept: KeptSymbol[];
  references: Reference[];
  /** Stand-in addresses given to names that resolve nowhere (a relocated old_addr may hold one). */
  standIns: ReadonlySet<bigint>;
  comment: string[];
  /** Load address of its text/rw/ro allocation in lint's model (the image's live-patch area). */
  base: bigint;
  pages: number;
  /** Reads the payload's relocated memory (and the image around it). */
  read(address: bigint, length: number): Uint8Array | undefined;
}

/** Where lint places payloads: like Xen's vmap area after the image, one after the other. */
export class PayloadSpace {
  private next: bigint;
  readonly loaded: LintPayload[] = [];
  readonly arch: LivepatchArch;

  constructor(readonly image: LintImage) {
    this.arch = archForMachine(image.elf.header.machine);
    const area = image.symbols.address('__2M_rwdata_end');
    let end = 0n;
    for (const s of image.elf.sections) if (s.addr + BigInt(s.size) > end) end = s.addr + BigInt(s.size);
    this.next = ((area ?? end) + 0xfffn) & ~0xfffn;
  }

  /** Address of a new symbol of a payload loaded before `before` (all loaded ones without it), as Xen's second lookup finds it. */
  payloadSymbol(name: string, before?: LintPayload): bigint | undefined {
    for (const p of this.loaded) {
      if (p === before) break;
      const s = p.kept.find((k) => k.isNew && k.name === name);
      if (s) return s.address;
    }
    return undefined;
  }

  /** Resolution by name as in Xen: the image first, then new symbols of the payloads loaded before `before`. */
  lookup(name: string, before?: LintPayload): bigint | undefined {
    if (name === '') return undefined;
    return this.image.symbols.address(name) || this.payloadSymbol(name, before) || undefined;
  }

  load(path: string, bytes: Uint8Array): LintPayload {
    const p = buildPayload(this, path, bytes);
    this.next = p.base + BigInt((p.pages + 1) * 4096) + 0x10000n; // guard page + room for unresolved names
    this.loaded.push(p);
    return p;
  }

  get nextBase(): bigint {
    return this.next;
  }
}

function buildPayload(space: PayloadSpace, path: string, bytes: Uint8Array): LintPayload {
  const image = space.image;
  const unresolved = new Map<string, bigint>();
  let base = space.nextBase;
  let pages = 0;
  let standIn = 0n;
  const ctx: UploadContext = {
    lookupXenSymbol: (name) => image.symbols.address(name),
    // Unknown names get a stand-in address after the payload so relocation can go on; lint reports them.
    lookupPayloadSymbol: (name) => {
      const found = space.payloadSymbol(name);
      if (found !== undefined) return found;
      let a = unresolved.get(name);
      if (a === undefined) {
        a = base + BigInt(pages * 4096) + 0x1000n + standIn;
        standIn += 16n;
        unresolved.set(name, a);
      }
      return a;
    },
    peek: (address, length) => image.read(address, length),
    xenBuildId: image.buildId,
    loadedNames: [],
    loadedBuildIds: [],
    reserve: (n) => {
      pages = n;
      return base;
    },
    arch: space.arch,
    rules: BASELINE_RULES, // lint reads images without running them: Xen 4.17 stable's upload order
  };

  const out: LintPayload = {
    path, name: basename(path), refused: undefined, ids: undefined, idsError: undefined, funcs: [],
    funcsSize: undefined, kept: [], references: [], standIns: new Set(), comment: [], base, pages: 0,
    read: () => undefined,
  };
  let elf: ElfModel;
  let layout: Layout;
  try {
    elf = loadElf(bytes, ctx.arch);
    layout = layOut(elf, ctx);
    base = layout.base;
    out.pages = layout.pages;
    out.read = (address, length) => layout.memory.read(address, length);
    const syms = resolveSymbols(elf, layout, ctx);
    out.standIns = new Set(unresolved.values());
    performRelocations(elf, layout, syms, ctx.arch);
    out.funcs = readFuncs(elf, layout);
    out.funcsSize = findSection(elf, SEC.funcs)?.size;
    // No name is "taken" here: collisions are the rules' business, with the image and every other payload.
    const none: UploadContext = { ...ctx, lookupXenSymbol: () => undefined, lookupPayloadSymbol: () => undefined };
    out.kept = withFiles(buildSymbolTable(elf, syms, out.funcs, none), elf, syms.value);
    out.references = references(elf, (name) => (unresolved.has(name) ? undefined : space.lookup(name)));
    const comment = findSection(elf, COMMENT_SECTION);
    out.comment = comment ? sectionStrings(fileData(elf.bytes, comment)) : [];
  } catch (e) {
    if (e instanceof LivepatchError) out.refused = e;
    else throw e;
    return out;
  }
  try {
    checkSpecialSections(elf);
    out.ids = prepareBuildIds(elf, layout, ctx);
  } catch (e) {
    if (!(e instanceof LivepatchError)) throw e;
    out.idsError = e;
  }
  return out;
}

/** Adds each kept symbol's source file (the STT_FILE before it), matching it by name and resolved address. */
function withFiles(kept: PayloadSymbol[], elf: ElfModel, values: readonly bigint[]): KeptSymbol[] {
  const byKey = new Map<string, { type: number; file: string | undefined }>();
  let file: string | undefined;
  for (const s of elf.symbols) {
    if (s.index === 0) continue;
    if (s.type === STT_FILE) file = s.name;
    else if (s.name) byKey.set(`${s.name}@${values[s.index]}`, { type: s.type, file });
  }
  return kept.map((k) => {
    const s = byKey.get(`${k.name}@${k.address}`);
    return { ...k, file: s?.file, isObject: (s?.type ?? k.type) === STT_OBJECT };
  });
}

/** R_X86_64_PC32/PLT32: the field is the end of the instruction at the earliest, so the target is >= S + A + 4. */
const PC_RELATIVE = new Set([R_X86_64_PC32, R_X86_64_PLT32]);

/** Every undefined symbol, with how far into it relocations reach (from the SHT_RELA sections upload applied). */
function references(elf: ElfModel, resolve: (name: string) => bigint | undefined): Reference[] {
  const refs = new Map<number, Reference>();
  for (const s of elf.symbols) {
    if (s.index === 0 || s.shndx !== SHN_UNDEF || s.name === '') continue;
    refs.set(s.index, { name: s.name, address: resolve(s.name), uses: [] });
  }
  for (const sec of elf.sections) {
    if (sec.index === 0 || sec.type !== SHT_RELA || sec.entsize < BigInt(RELA_SIZE)) continue;
    forEachRela(elf, sec, (_k, _offset, type, symbol, addend) => {
      refs.get(symbol)?.uses.push({ type, minOffset: addend + (PC_RELATIVE.has(type) ? 4n : 0n) });
    });
  }
  return [...refs.values()];
}

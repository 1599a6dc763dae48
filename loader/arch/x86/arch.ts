// The x86-64 LivepatchArch for one image: Xen's arch/x86 live-patch mechanics with the rules of the image's
// Xen version. What can be read from the image is read from it (the featureset bound, the vmap area); the rest
// comes from loader/abi.ts's per-version table.
import { BUG_FRAME, EXTABLE_ENTRY, PAGE_SIZE, versionAbi } from '../../abi.ts';
import { decodeBugFrames } from '../../image/bug-frames.ts';
import type { Image } from '../../image/index.ts';
import type { LivepatchArch, MemoryWindows } from '../types.ts';
import { X86_FEATURE_ALWAYS, applyAlternatives } from './alternatives.ts';
import { sortExceptionTable } from './extable.ts';
import { addNops, type NopFlavour } from './nops.ts';
import { performRela } from './rela.ts';
import { applyPatch, revertPatch } from './trampoline.ts';
import { verifyElf, verifyFunc } from './verify.ts';

const GiB = 1n << 30n;
/** Xen's directmap: where xmalloc'd structures such as struct payload live. */
const HEAP_BASE = 0xffff830000000000n;
const HEAP_PAGES = 1 << 16;
/** Arrays of NCAPINTS u32 words in arch/x86/cpu/common.c: their size gives the image's NCAPINTS. */
const NCAPINTS_ARRAYS = ['arch/x86/cpu/common.c#forced_caps', 'arch/x86/cpu/common.c#cleared_caps'];

export interface X86Options {
  /** Boot CPU feature bits seen by .altinstructions (X86_FEATURE_ALWAYS is always added, as Xen forces it). */
  cpuFeatures?: Iterable<number>;
  /** NCAPINTS * 32 instead of what the image or its version says. */
  featureBound?: number;
  /** The boot-selected NOPs (K8 on old CPUs). */
  nops?: NopFlavour;
  /** CONFIG_XEN_IBT (Debian's 4.17 build has it). */
  ibt?: boolean;
}

export interface X86Arch extends LivepatchArch {
  readonly featureBound: number;
}

/** Image facts the x86 rules depend on; an Image provides them (see fromImage), tests may give them directly. */
export interface X86ImageFacts {
  /** `major.minor`, or undefined when unknown. */
  version: string | undefined;
  /** NCAPINTS from a featureset-sized array of the image, if it has one. */
  ncapints: number | undefined;
  windows: MemoryWindows;
}

export function createX86Arch(facts: X86ImageFacts, opts: X86Options = {}): X86Arch {
  const abi = versionAbi(facts.version);
  const cpuFeatures = new Set([X86_FEATURE_ALWAYS, ...(opts.cpuFeatures ?? [])]);
  const featureBound = opts.featureBound ?? (facts.ncapints ?? abi.ncapints) * 32;
  const flavour = opts.nops ?? 'p6';
  const ibt = opts.ibt ?? true;
  const nops = (n: number): Uint8Array => addNops(n, flavour);
  return {
    range: 1n << 31n,
    featureBound,
    verifyElf,
    verifyFunc,
    performRela,
    applyAlternatives: (elf, layout) =>
      applyAlternatives(elf, layout, { features: cpuFeatures, featureBound, errors: abi.alternativeErrors, ibt, nops }),
    apply: (site, text) => applyPatch(site, text, flavour),
    revert: revertPatch,
    // One emulated CPU, and the host writes text through its own path: nothing to relax or tighten.
    quiesce: () => {},
    revive: () => {},
    windows: facts.windows,
    exTable: { entrySize: EXTABLE_ENTRY.size, sort: sortExceptionTable },
    bugFrames: { frameSize: BUG_FRAME.size, types: BUG_FRAME.types, decode: decodeBugFrames },
  };
}

/** What an image says about itself: its version (Image.version), NCAPINTS, the vmap area. */
export function x86FactsFromImage(image: Image): X86ImageFacts {
  return { version: imageVersion(image), ncapints: imageNcapints(image), windows: windows(image) };
}

function imageNcapints(image: Image): number | undefined {
  for (const name of NCAPINTS_ARRAYS) {
    const s = image.symbols.lookup(name);
    if (s && s.size > 0 && s.size % 4 === 0) return s.size / 4;
  }
  return undefined;
}

function imageVersion(image: Image): string | undefined {
  try {
    const v = image.version;
    return `${v.major}.${v.minor}`;
  } catch {
    return undefined; // an image whose version functions cannot run: the baseline rules apply
  }
}

/**
 * Payload memory: Xen's VMAP_XEN area, from the end of the image's data (`__2M_rwdata_end`) to the end of its
 * 1 GiB window (less the fixmap and stubs), so every rel32 between image and payload reaches.
 */
function windows(image: Image): MemoryWindows {
  const page = BigInt(PAGE_SIZE);
  const start = image.symbols.address('__2M_rwdata_end') ?? alignUp(image.load.end, 2n << 20n);
  const windowEnd = (image.text.start & ~(GiB - 1n)) + GiB - (16n << 20n);
  return {
    area: { start, pages: Number((windowEnd - start) / page) },
    heap: { start: HEAP_BASE, pages: HEAP_PAGES },
  };
}

function alignUp(v: bigint, a: bigint): bigint {
  return (v + a - 1n) & ~(a - 1n);
}

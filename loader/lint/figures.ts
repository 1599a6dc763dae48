// Counts that describe how patchable an image is: what README.md quotes for Debian's xen-syms.
import { isEndbr64 } from '../arch/x86/endbr.ts';
import { ARCH_PATCH_INSN_SIZE } from '../arch/x86/trampoline.ts';
import { STT_FUNC, STT_OBJECT } from '../elf/index.ts';
import type { LintImage } from './image-model.ts';
import { generatedLocalKind, parseClone } from './names.ts';

export interface ImageFigures {
  /** Sized FUNC symbols in `.text` (runtime code; `.init.text` is freed after boot). */
  textFunctions: number;
  /** Of those, how many start with ENDBR64. */
  endbrFunctions: number;
  /** Of those, how many cannot hold the trampoline (< 5 bytes, < 9 with ENDBR64). */
  tooShort: number;
  /** Sized FUNC symbols anywhere (`.init.text` included). */
  allFunctions: number;
  cswtch: number;
  funcNames: number;
  /** Other numbered function-scope statics (`count.3`). */
  staticLocals: number;
  /**
   * Functions with gcc clone suffixes, by suffix (a `.part.0.cold` counts for both), in total, and how many of
   * them are runtime code (not `.init.text`).
   */
  clones: { isra: number; constprop: number; part: number; cold: number; total: number; runtime: number };
  /** Names the image defines more than once (after `path#name`). */
  duplicates: number;
  /** Instructions decoded for the call graph, and functions that did not decode to their end. */
  instructions: number;
  undecodable: number;
}

export function imageFigures(image: LintImage): ImageFigures {
  const text = image.elf.section('.text');
  const inText = image.functions.filter((f) => text && f.base === text.addr);
  let endbr = 0;
  let tooShort = 0;
  for (const f of inText) {
    const e = isEndbr64(f.data.subarray(f.offset, f.offset + 4));
    if (e) endbr++;
    if (f.size < ARCH_PATCH_INSN_SIZE + (e ? 4 : 0)) tooShort++;
  }
  const kinds = { CSWTCH: 0, __func__: 0, 'static-local': 0, 'asm-label': 0 };
  for (const s of image.allSymbols) {
    if (!s.local) continue;
    const k = generatedLocalKind(s.plain, s.type === STT_OBJECT);
    if (k) kinds[k]++;
  }
  const functions = image.allSymbols.filter((s) => s.type === STT_FUNC && s.size > 0);
  const clones = { isra: 0, constprop: 0, part: 0, cold: 0, total: 0, runtime: 0 };
  for (const f of functions) {
    const c = parseClone(f.plain);
    if (!c) continue;
    clones.total++;
    if (image.regionAt(f.address)?.isFunction) clones.runtime++;
    for (const w of ['isra', 'constprop', 'part', 'cold'] as const) if (c.suffix.split('.').includes(w)) clones[w]++;
  }
  const graph = image.callGraph();
  return {
    textFunctions: inText.length, endbrFunctions: endbr, tooShort, allFunctions: functions.length,
    cswtch: kinds.CSWTCH, funcNames: kinds.__func__, staticLocals: kinds['static-local'], clones,
    duplicates: image.symbols.duplicates.size, instructions: graph.instructions, undecodable: graph.undecodable.length,
  };
}

export function formatFigures(f: ImageFigures): string[] {
  return [
    `runtime .text functions: ${f.textFunctions} (${f.endbrFunctions} start with ENDBR64, ${f.tooShort} too short to patch)`,
    `all functions:           ${f.allFunctions} (.init.text included)`,
    `numbered locals:         ${f.cswtch} CSWTCH, ${f.funcNames} __func__, ${f.staticLocals} function-scope statics`,
    `IPA clones/parts:        ${f.clones.total} (${f.clones.isra} isra, ${f.clones.constprop} constprop, ` +
      `${f.clones.part} part, ${f.clones.cold} cold; ${f.clones.runtime} in runtime code)`,
    `duplicate names:         ${f.duplicates}`,
    `decoded instructions:    ${f.instructions} (${f.undecodable} functions did not decode to their end)`,
  ];
}

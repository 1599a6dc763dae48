// What gcc-made symbol names mean: numbered locals (whose numbers change from one build to the next) and IPA
// clones/parts (foo.isra.0, foo.constprop.1, foo.part.0, foo.cold).

export type LocalKind = 'CSWTCH' | '__func__' | 'static-local' | 'asm-label';

/** The plain name: what follows `path#` in Xen's name of a static. */
export function plainName(xenName: string): string {
  const hash = xenName.lastIndexOf('#');
  return hash < 0 ? xenName : xenName.slice(hash + 1);
}

/** `path` of `path#name`, or undefined for a plain name. */
export function namePath(xenName: string): string | undefined {
  const hash = xenName.lastIndexOf('#');
  return hash < 0 ? undefined : xenName.slice(0, hash);
}

const NUMBERED = /^([A-Za-z_$][\w$]*)\.(\d+)$/;

/**
 * Locals whose names gcc makes up or numbers: switch tables (CSWTCH.N), __func__.N (also __FUNCTION__ and
 * __PRETTY_FUNCTION__), function-scope statics (`count.3`), and assembler labels (`.L*`) that end up in the
 * symbol table. None of these names is stable across builds. `isObject` says whether the symbol is data
 * (function-scope statics are told apart from other `x.N` names that way).
 */
export function generatedLocalKind(plain: string, isObject: boolean): LocalKind | undefined {
  if (plain.startsWith('.L')) return 'asm-label';
  const m = NUMBERED.exec(plain);
  if (!m) return undefined;
  const base = m[1]!;
  if (base === 'CSWTCH') return 'CSWTCH';
  if (base === '__func__' || base === '__FUNCTION__' || base === '__PRETTY_FUNCTION__') return '__func__';
  return isObject ? 'static-local' : undefined;
}

/** gcc's suffixes for functions derived from another one. */
const CLONE_WORDS = new Set(['isra', 'constprop', 'part', 'cold', 'clone', 'lto_priv', 'specialized']);

export interface CloneName {
  /** The function it was derived from (plain name). */
  base: string;
  /** Everything after the base, e.g. `.constprop.0` or `.part.0.cold`. */
  suffix: string;
}

/** `foo.constprop.0` -> { base: foo, suffix: .constprop.0 }; undefined for a name that is not a clone. */
export function parseClone(plain: string): CloneName | undefined {
  const dot = plain.indexOf('.');
  if (dot <= 0) return undefined;
  const words = plain.slice(dot + 1).split('.');
  let named = false;
  for (const w of words) {
    if (CLONE_WORDS.has(w)) named = true;
    else if (!/^\d+$/.test(w)) return undefined;
  }
  return named ? { base: plain.slice(0, dot), suffix: plain.slice(dot) } : undefined;
}

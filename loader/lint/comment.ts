// What an object says about the compiler that built it: `.comment` ("GCC: (Debian 12.2.0-14+deb12u1) 12.2.0",
// one string per distinct compiler after linking) and, with -frecord-gcc-switches, `.GCC.command.line`.

export const COMMENT_SECTION = '.comment';
export const SWITCHES_SECTION = '.GCC.command.line';

/** The distinct non-empty NUL-separated strings of a section, in order. */
export function sectionStrings(data: Uint8Array): string[] {
  const out: string[] = [];
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  for (const s of text.split('\0')) if (s && !out.includes(s)) out.push(s);
  return out;
}

/** The compiler strings of `.comment` that name GCC or clang (the linker adds its own on some systems). */
export function compilers(comment: readonly string[]): string[] {
  return comment.filter((s) => /^(GCC|clang)|clang version/.test(s));
}

/**
 * Do the recorded command lines rule out -fipa-ra? true: every one has -flive-patching=… or -fno-ipa-ra;
 * false: some object was compiled without; undefined: nothing recorded. (A linked image keeps one string per
 * distinct command line.)
 */
export function ipaRaDisabled(switches: readonly string[] | undefined): boolean | undefined {
  if (!switches || switches.length === 0) return undefined;
  return switches.every((s) => /(^|\s)-f(live-patching(=\S+)?|no-ipa-ra)(\s|$)/.test(s));
}

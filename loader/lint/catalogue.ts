// The rules, with stable ids. README.md documents the same table; a test keeps them in step.

export type Severity = 'error' | 'warning' | 'note';

export interface RuleInfo {
  /** Short name (kebab-case). */
  name: string;
  /** Severities the rule can report. */
  severities: readonly Severity[];
  what: string;
  why: string;
  hint: string;
}

export const RULES = {
  XLP000: {
    name: 'upload-refused',
    severities: ['error'],
    what: 'one of Xen\'s structural upload checks fails (ELF header, sections, symbols, relocations, ' +
      '.livepatch.funcs size and record version/old_size)',
    why: 'the hypervisor refuses the payload with the errno shown before any patching question arises',
    hint: 'rebuild the payload; the message names the check and Xen\'s errno',
  },
  XLP001: {
    name: 'unstable-local-ref',
    severities: ['error', 'warning'],
    what: 'the payload binds by name to a compiler-numbered local of the image (CSWTCH.N, __func__.N, x.N)',
    why: 'gcc numbers these per file in creation order, so another build of the same tree may use the same ' +
      'name for different data; error when the name is absent, when the payload reaches past the image\'s ' +
      'object, or when the payload\'s own copy of it differs',
    hint: 'build the payload from the exact tree and compiler of the image, or carry the data in the payload ' +
      'under a file-mangled name',
  },
  XLP002: {
    name: 'symbol-collision',
    severities: ['error', 'warning'],
    what: 'a symbol the payload exports already exists in the image or another payload; or it is a generic ' +
      'compiler-made local (__func__.N, CSWTCH.N, .LCn, x.N) that other payloads will also define',
    why: 'Xen exports every payload symbol, locals included, and refuses a duplicate with -EEXIST (spec §2.8)',
    hint: 'rename locals as `file#name` (what livepatch-build-tools does) or make them unique',
  },
  XLP003: {
    name: 'too-short',
    severities: ['error'],
    what: 'the patched function is shorter than the trampoline: 5 bytes (`E9 rel32`), 9 after ENDBR64; or ' +
      'old_size is less than that',
    why: 'the jump would overwrite the next function; Xen refuses old_size < 5 (9) with -EINVAL',
    hint: 'patch its callers instead, or make the function longer in the image',
  },
  XLP004: {
    name: 'old-size',
    severities: ['error', 'warning'],
    what: 'old_addr is not the start of a function (error); old_size in .livepatch.funcs differs from the size ' +
      'of the image\'s function, naming the instruction it ends inside (warning)',
    why: 'the payload was built against another image, or its record is wrong; Xen 4.17 uses old_size only to ' +
      'bound the trampoline and the expectation length, so a wrong old_size alone still loads and works',
    hint: 'set old_size to the image\'s size (shown), and old_addr to the function\'s start',
  },
  XLP005: {
    name: 'duplicate-symbol',
    severities: ['error'],
    what: 'the image defines a name twice even with statics named `path#name` (e.g. two files with the same ' +
      'path as far as the STT_FILE symbols say)',
    why: 'Xen resolves names to one of them; with CONFIG_ENFORCE_UNIQUE_SYMBOLS the build would have failed',
    hint: 'give each object its full path in its STT_FILE symbol, or rename one of the statics',
  },
  XLP006: {
    name: 'ipa-clone',
    severities: ['warning', 'note'],
    what: 'a patched function has IPA clones or split parts in the image (foo.isra.N, foo.constprop.N, ' +
      'foo.part.N, foo.cold)',
    why: 'callers of a clone run the clone, which the payload does not patch; a .cold part only called by the ' +
      'patched function becomes dead code (note)',
    hint: 'patch the clones too (one .livepatch.funcs entry each) or their callers',
  },
  XLP007: {
    name: 'ipa-ra',
    severities: ['note'],
    what: 'a direct caller keeps a value in a call-clobbered register across the call to the patched function',
    why: 'with -fipa-ra (on at -O2; off with -flive-patching=inline-clone) gcc lets callers rely on the ' +
      'registers the callee happens not to touch; a new version that uses them breaks the caller',
    hint: 'build the image with -flive-patching=inline-clone, or keep the new function off those registers, ' +
      'or patch the callers too',
  },
  XLP008: {
    name: 'compiler-mismatch',
    severities: ['warning', 'note'],
    what: 'the payload\'s .comment names another compiler than the image\'s (note: one of them has none)',
    why: 'a different gcc makes different clones, inlining, numbering and register use: everything above',
    hint: 'build the payload with the compiler that built the image',
  },
  XLP009: {
    name: 'branch-into-patch',
    severities: ['error'],
    what: 'code elsewhere in the image branches into the bytes the trampoline overwrites (not to its start)',
    why: 'after patching, that branch lands in the middle of `E9 rel32` (or of the NOPs) and executes garbage',
    hint: 'patch the function containing the branch as well, or patch another function',
  },
  XLP010: {
    name: 'xen-depends',
    severities: ['error'],
    what: '.livepatch.xen_depends is missing, malformed, or not the image\'s build-id',
    why: 'Xen refuses the upload with -EINVAL',
    hint: 'rebuild the payload against this image (its .note.gnu.build-id)',
  },
  XLP011: {
    name: 'depends',
    severities: ['error'],
    what: '.livepatch.depends is missing or malformed, or matches neither the image nor any payload given',
    why: 'APPLY checks it against the image (nothing applied) or the last applied payload: -EINVAL',
    hint: 'give the payload it stacks on as well (in apply order), or rebuild it',
  },
  XLP012: {
    name: 'expectation',
    severities: ['error', 'note'],
    what: 'an enabled expectation does not match the image (error); otherwise the bytes to expect (note)',
    why: 'APPLY compares the first `len` bytes at old_addr and refuses a mismatch (-EINVAL), len > old_size ' +
      '(-ERANGE) or rsv != 0 (-EINVAL); expectations catch a wrong image or an already patched function',
    hint: 'use the bytes shown (`xlp lint --write-expectations` prints them as a C initialiser)',
  },
  XLP013: {
    name: 'unresolved',
    severities: ['error'],
    what: 'a symbol the payload needs (an undefined symbol, or a function to patch named with old_addr 0) is ' +
      'in neither the image nor an earlier payload',
    why: 'Xen refuses the upload with -ENOENT',
    hint: 'use the image\'s exact name (`path#name` for statics), or give the payload that defines it first',
  },
  XLP014: {
    name: 'nop-cuts-insn',
    severities: ['error'],
    what: 'a NOP patch (new_addr 0) ends inside an instruction of the old code (the instruction is shown)',
    why: 'the bytes of the cut instruction left after the NOPs execute as another instruction: the patched ' +
      'function runs garbage (a #PF or worse)',
    hint: 'make new_size end on an instruction boundary (shown), e.g. before the last whole instruction',
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** The symbol the finding is about (`-` when there is none). */
  symbol: string;
  message: string;
  /** Extra lines: callers, build-ids, addresses. */
  details: string[];
  hint: string;
  /** The payload file it is about; undefined for findings about the image itself. */
  payload: string | undefined;
}

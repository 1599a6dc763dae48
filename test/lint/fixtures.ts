// Builds the lint fixtures of guest/lint-fixtures/ with gcc and ld into a temporary directory, the way
// guest/payloads/payloads.mk builds payloads: the image's own compile flags (read from guest/Makefile), notes
// carrying the image's build-id, `ld -r --build-id=sha1`. Also the odd images: a copy of the builtin image with
// a .comment, and an image with a true duplicate symbol.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BUILTIN_IMAGE, REPO_ROOT } from '../../loader/image/paths.ts';
import { LintImage } from '../../loader/lint/index.ts';

const GUEST = join(REPO_ROOT, 'guest');
const FIXTURES = 'lint-fixtures';

export interface PayloadSpec {
  /** Sources in guest/lint-fixtures/ (.c or .S). */
  sources: string[];
  /** -D options: name -> value ('' for a bare -DNAME). */
  defines?: Record<string, string>;
  /** Rename the STT_FILE symbol of the (first) C object to this path, as guest/Makefile does for the image. */
  file?: string;
  /** Build-id for .livepatch.depends (default: the image's). */
  depends?: Uint8Array;
  /** Extra files to write next to the objects before compiling (e.g. an included .inc). */
  extra?: Record<string, string>;
}

let flagsCache: string[] | undefined;

/** CPPFLAGS, CFLAGS and RETURN_THUNK of guest/Makefile, exactly as make expands them. */
function guestFlags(): string[] {
  flagsCache ??= execFileSync('make', ['-s', '--no-print-directory', '-C', GUEST, '--eval',
    'xlp-lint-flags: ; @echo $(CPPFLAGS) $(CFLAGS) $(RETURN_THUNK)', 'xlp-lint-flags'], { encoding: 'utf8' })
    .trim().split(/\s+/);
  return flagsCache;
}

export class FixtureBuilder {
  readonly dir = mkdtempSync(join(tmpdir(), 'xlp-lint-'));
  readonly image: LintImage;

  constructor(readonly imagePath: string = BUILTIN_IMAGE) {
    this.image = LintImage.load(imagePath);
    writeFileSync(join(this.dir, 'lint_config.h'), this.config());
    writeFileSync(join(this.dir, 'notes.s'), notesAssembly(this.image.buildId!, this.image.buildId!));
    this.run(this.dir, 'as', 'notes.s', '-o', 'notes.o');
  }

  /** Builds `<name>.livepatch` and returns its path. */
  payload(name: string, spec: PayloadSpec): string {
    const out = join(this.dir, name);
    mkdirSync(out, { recursive: true });
    for (const [f, text] of Object.entries(spec.extra ?? {})) writeFileSync(join(out, f), text);
    const defines = Object.entries(spec.defines ?? {}).map(([k, v]) => (v === '' ? `-D${k}` : `-D${k}=${v}`));
    const objects = spec.sources.map((src, i) => {
      const obj = join(out, `${basename(src).replace(/\.[cS]$/, '')}.o`);
      this.run(GUEST, 'gcc', ...guestFlags(), `-I${out}`, `-I${this.dir}`, '-Ipayloads/include', ...defines,
        '-c', `${FIXTURES}/${src}`, '-o', `${obj}.tmp`);
      const rename = i === 0 && spec.file ? ['--redefine-sym', `${basename(src)}=${spec.file}`] : [];
      // As payloads.mk: gcc's .note.gnu.property goes (the image's linker script drops it too).
      this.run(GUEST, 'objcopy', '--remove-section=.note.gnu.property', ...rename, `${obj}.tmp`, obj);
      return obj;
    });
    let notes = join(this.dir, 'notes.o');
    if (spec.depends) {
      writeFileSync(join(out, 'notes.s'), notesAssembly(spec.depends, this.image.buildId!));
      this.run(out, 'as', 'notes.s', '-o', 'notes.o');
      notes = join(out, 'notes.o');
    }
    const path = join(this.dir, `${name}.livepatch`);
    this.run(out, 'ld', '-r', '--build-id=sha1', '-z', 'noexecstack', '-o', path, ...objects, notes);
    return path;
  }

  /** A copy of the image with a `.comment` naming `compiler` (the builtin image's linker script drops it). */
  imageWithComment(compiler: string): string {
    const path = join(this.dir, 'xen-syms-comment');
    writeFileSync(join(this.dir, 'comment.bin'), `${compiler}\0`);
    this.run(this.dir, 'objcopy', `--add-section=.comment=comment.bin`, '--set-section-flags=.comment=contents,readonly',
      this.imagePath, path);
    return path;
  }

  /** An image whose two objects both call themselves dup.c, so `dup.c#helper` is defined twice. */
  duplicateImage(): string {
    const out = join(this.dir, 'dup');
    mkdirSync(out, { recursive: true });
    for (const half of ['a', 'b']) {
      this.run(join(GUEST, FIXTURES, 'dup'), 'gcc', '-O2', '-ffreestanding', '-fno-pic', '-fno-asynchronous-unwind-tables',
        '-c', `${half}/dup.c`, '-o', join(out, `${half}.o`));
    }
    const path = join(out, 'dup-syms');
    this.run(out, 'ld', '--build-id=sha1', '-e', '0', '-z', 'noexecstack', '-Ttext=0xffff82d040200000', '-o', path,
      'a.o', 'b.o');
    return path;
  }

  /** A small image whose ENDBR64 functions are 8 bytes (one short of the 9 a trampoline needs) and 19 bytes. */
  endbrImage(): string {
    const out = join(this.dir, 'endbr');
    mkdirSync(out, { recursive: true });
    this.run(GUEST, 'gcc', '-c', `${FIXTURES}/endbr_image.S`, '-o', join(out, 'endbr.o'));
    const path = join(out, 'endbr-syms');
    this.run(out, 'ld', '--build-id=sha1', '-e', '0', '-z', 'noexecstack', '-Ttext=0xffff82d040200000', '-o', path,
      'endbr.o');
    return path;
  }

  read(path: string): Uint8Array {
    return new Uint8Array(readFileSync(path));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(cwd: string, cmd: string, ...args: string[]): void {
    try {
      execFileSync(cmd, args, { cwd, stdio: 'pipe' });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${cmd} ${args.join(' ')} failed:\n${stderr}`);
    }
  }

  /**
   * lint_config.h: what the fixtures need to know about the image: SIZE_<name> of every function (`path#name`
   * with non-identifier characters as `_`), and the clone and switch table of common/selftest.c when present.
   */
  private config(): string {
    const img = this.image;
    const lines = ['/* Generated by test/lint/fixtures.ts from the target image. */'];
    const seen = new Set<string>();
    for (const f of img.functions) {
      const macro = `SIZE_${f.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      if (!seen.has(macro)) lines.push(`#define ${macro} ${f.size}`);
      seen.add(macro);
    }
    const clone = img.functions.find((f) => f.name.startsWith('common/selftest.c#selftest_mix.'));
    if (clone) lines.push(`#define MIX_CLONE_NAME "${clone.name}"`, `#define SIZE_MIX_CLONE ${clone.size}`);
    const cswtch = img.allSymbols.find((s) => s.name.startsWith('common/selftest.c#CSWTCH.'));
    if (cswtch) {
      lines.push(`#define CSWTCH_NAME "${cswtch.name}"`, `#define CSWTCH_LOCAL_NAME "${cswtch.plain}"`,
        `#define CSWTCH_SIZE ${cswtch.size}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/** .livepatch.depends and .livepatch.xen_depends: 36-byte GNU build-id notes, as payloads.mk makes them. */
function notesAssembly(depends: Uint8Array, xen: Uint8Array): string {
  const note = (section: string, id: Uint8Array): string => [
    `\t.section ${section}, "a", @progbits`,
    `\t.long 4, ${id.length}, 3`,
    '\t.asciz "GNU"',
    `\t.byte ${Array.from(id).join(', ')}`,
  ].join('\n');
  return `${note('.livepatch.depends', depends)}\n${note('.livepatch.xen_depends', xen)}\n` +
    '\t.section .note.GNU-stack, "", @progbits\n';
}

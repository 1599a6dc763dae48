// Real payloads built like Xen's xen/test/livepatch/Makefile: a fake "xen-syms" linked with a build-id, its
// note copied into .livepatch.depends/.livepatch.xen_depends objects with objcopy, C payloads compiled with
// gcc and combined with `ld -r --build-id=sha1`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfFile, SHN_UNDEF, STB_LOCAL } from '../../../loader/elf/index.ts';
import { fakeContext, type FakeContext } from './context.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
export const XEN_TEXT = 0xffff82d040200000n;

/**
 * Xen's compile flags that matter for relocations: -fpic with hidden visibility (xen/compiler.h) turns every
 * reference into a RIP-relative PC32/PLT32; plain -fno-pic would emit R_X86_64_32 for addresses, which the
 * loader refuses (one test shows it).
 */
export const CFLAGS = ['-O2', '-ffunction-sections', '-fno-asynchronous-unwind-tables', '-mno-red-zone', '-fpic', '-c'];

export class Toolchain {
  readonly dir = mkdtempSync(join(tmpdir(), 'xlp-upload-'));
  readonly xen: ElfFile;

  constructor() {
    for (const f of ['fake-xen.S', 'livepatch.h']) copyFileSync(join(FIXTURES, f), join(this.dir, f));
    this.run('as', 'fake-xen.S', '-o', 'fake-xen.o');
    this.run('ld', '--build-id=sha1', `-Ttext=0x${XEN_TEXT.toString(16)}`, '-e', '0', '-z', 'noexecstack',
      '-o', 'xen-syms', 'fake-xen.o');
    this.noteObject('xen-syms', 'note.o', '.livepatch.depends');
    this.noteObject('xen-syms', 'xen_note.o', '.livepatch.xen_depends');
    writeFileSync(join(this.dir, 'modinfo.bin'), 'LIVEPATCH_RULEZ\0');
    this.binaryObject('modinfo.bin', 'modinfo.o', '.modinfo');
    this.xen = ElfFile.parse(this.read('xen-syms'));
  }

  run(cmd: string, ...args: string[]): void {
    execFileSync(cmd, args, { cwd: this.dir, stdio: 'pipe' });
  }

  read(file: string): Uint8Array {
    const b = readFileSync(join(this.dir, file));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  /** `.note.gnu.build-id` of a linked file, as an object whose only section is `section` (note.o in Xen). */
  noteObject(from: string, out: string, section: string): void {
    this.run('objcopy', '-O', 'binary', '--only-section=.note.gnu.build-id', from, `${out}.bin`);
    this.binaryObject(`${out}.bin`, out, section);
  }

  binaryObject(bin: string, out: string, section: string): void {
    this.run('objcopy', '-I', 'binary', '-O', 'elf64-x86-64', '-B', 'i386:x86-64',
      `--rename-section=.data=${section},alloc,load,readonly,data,contents`, '-S', bin, out);
  }

  /** Compiles fixtures/<fixture> into <name>.o and links it with `objects` into <name>.livepatch. */
  payload(name: string, fixture: string, opts: { objects?: string[]; cflags?: string[] } = {}): Uint8Array {
    copyFileSync(join(FIXTURES, fixture), join(this.dir, `${name}.c`));
    this.run('gcc', ...(opts.cflags ?? CFLAGS), `${name}.c`, '-o', `${name}.o`);
    const objects = opts.objects ?? ['note.o', 'xen_note.o', 'modinfo.o'];
    this.run('ld', '-r', '--build-id=sha1', '-o', `${name}.livepatch`, `${name}.o`, ...objects);
    return this.read(`${name}.livepatch`);
  }

  /** A context whose "Xen" is the fake xen-syms: its globals, its memory, its build-id. */
  context(): FakeContext {
    const ctx = fakeContext({ xenBuildId: this.xen.buildId() });
    for (const s of this.xen.symbols()) {
      if (s.name && s.shndx !== SHN_UNDEF && s.bind !== STB_LOCAL) ctx.xenSymbols.set(s.name, s.value);
    }
    const xen = this.xen;
    ctx.peek = (address, length) => {
      try {
        return xen.readAt(address, length);
      } catch {
        return undefined;
      }
    };
    return ctx;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  symbol(name: string): bigint {
    const s = this.xen.symbols().find((x) => x.name === name);
    if (!s) throw new Error(`fake xen has no ${name}`);
    return s.value;
  }
}

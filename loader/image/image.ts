// An ET_EXEC Xen image (ours or any Xen 4.17 xen-syms) loaded into a Machine the way Xen sits in memory after
// boot: PT_LOAD segments at their addresses with their permissions, the symbol table with Xen's names, the
// build-id, the exception tables sorted as sort_exception_tables() leaves them, the bug frames, and the core
// virtual region through which faults in image text are resolved.
import { readFileSync } from 'node:fs';
import type { Perms } from '../../emulator/cpu/cpu.ts';
import type { Machine } from '../../emulator/xen/machine.ts';
import type { VirtualRegion } from '../../emulator/xen/regions.ts';
import { EM_X86_64, ET_EXEC, ElfError, ElfFile, PF_W, PF_X, PT_LOAD } from '../elf/index.ts';
import { BugFrames, decodeBugFrames } from './bug-frames.ts';
import { ExceptionTable, decodeExceptionTable, encodeExceptionTable } from './exception-table.ts';
import { SymbolTable } from './symbols.ts';
import { readXenVersion, type XenVersion } from './version.ts';

const PAGE = 0x1000n;

export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface Range {
  start: bigint;
  end: bigint;
}

export interface ImageOptions {
  /** Label for reports (defaults to the file name). */
  name?: string;
}

export class Image {
  readonly name: string;
  readonly elf: ElfFile;
  readonly symbols: SymbolTable;
  readonly buildId: Uint8Array;
  /** [lowest, highest) address of the PT_LOAD segments. */
  readonly load: Range;
  /** `_stext.._etext`: the core region's text. */
  readonly text: Range;
  readonly exceptionTable: ExceptionTable;
  readonly preExceptionTable: ExceptionTable;
  readonly bugFrames: BugFrames;
  readonly region: VirtualRegion;

  private constructor(readonly machine: Machine, bytes: Uint8Array, readonly path: string | undefined, opts: ImageOptions) {
    this.name = opts.name ?? path?.split('/').pop() ?? 'image';
    this.elf = parseExecutable(bytes);
    this.symbols = SymbolTable.fromElf(this.elf);
    const id = this.elf.buildId();
    if (!id) throw new ImageError(`${this.name}: no GNU build-id note (Xen's xen_build_id() would return -ENODATA)`);
    this.buildId = id;
    this.load = this.mapSegments();
    this.text = {
      start: this.symbols.address('_stext') ?? this.load.start,
      end: this.symbols.address('_etext') ?? this.load.end,
    };
    this.exceptionTable = this.sortTable('__start___ex_table', '__stop___ex_table');
    this.preExceptionTable = this.sortTable('__start___pre_ex_table', '__stop___pre_ex_table');
    this.bugFrames = this.readBugFrames();
    const image = this;
    this.region = {
      name: this.name,
      textStart: this.text.start,
      textEnd: this.text.end,
      searchExceptionTable: (a) => image.exceptionTable.search(a),
      findBugFrame: (a) => image.bugFrames.find(a),
      symbolize: (a) => image.symbols.symbolize(a, image.load),
      // is_kernel(): [_start, _end) of the linked image.
      holds: (a) => a >= (image.symbols.address('_start') ?? image.load.start) && a < (image.symbols.address('_end') ?? image.load.end),
    };
    machine.regions.register(this.region);
  }

  static load(machine: Machine, source: string | Uint8Array, opts: ImageOptions = {}): Image {
    const bytes = typeof source === 'string' ? readFileSync(source) : source;
    return new Image(machine, bytes, typeof source === 'string' ? source : undefined, opts);
  }

  get buildIdHex(): string {
    return Buffer.from(this.buildId).toString('hex');
  }

  /** Address of a symbol by Xen's name (`name` or `path#name`); throws if absent. */
  symbol(name: string): bigint {
    const a = this.symbols.address(name);
    if (a === undefined) throw new ImageError(`${this.name}: no symbol ${name}`);
    return a;
  }

  /** The Xen version the image was built as, asked of the image itself (see version.ts). */
  get version(): XenVersion {
    return (this.cachedVersion ??= readXenVersion(this));
  }
  private cachedVersion: XenVersion | undefined;

  /** Call a function of the image by name. */
  call(name: string, args: (bigint | number)[] = []): bigint {
    return this.machine.call(this.symbol(name), args);
  }

  /** Map every PT_LOAD page with the union of the permissions of the segments touching it, then copy data. */
  private mapSegments(): Range {
    const segs = this.elf.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0);
    if (!segs.length) throw new ImageError(`${this.name}: no PT_LOAD segment`);
    const pages = new Map<bigint, { w: boolean; x: boolean }>();
    for (const s of segs) {
      for (let p = s.vaddr & ~(PAGE - 1n); p < s.vaddr + BigInt(s.memsz); p += PAGE) {
        const cur = pages.get(p) ?? { w: false, x: false };
        pages.set(p, { w: cur.w || (s.flags & PF_W) !== 0, x: cur.x || (s.flags & PF_X) !== 0 });
      }
    }
    const sorted = [...pages.keys()].sort((a, b) => (a < b ? -1 : 1));
    const perms = (p: bigint): Perms => {
      const q = pages.get(p)!;
      return q.w && q.x ? 'rwx' : q.w ? 'rw' : q.x ? 'rx' : 'r';
    };
    for (let i = 0; i < sorted.length; ) {
      let j = i + 1;
      while (j < sorted.length && sorted[j] === sorted[j - 1]! + PAGE && perms(sorted[j]!) === perms(sorted[i]!)) j++;
      this.machine.map(sorted[i]!, (j - i) * Number(PAGE), perms(sorted[i]!));
      i = j;
    }
    for (const s of segs) if (s.filesz) this.machine.write(s.vaddr, this.elf.bytes.subarray(s.offset, s.offset + s.filesz));
    return { start: sorted[0]!, end: sorted[sorted.length - 1]! + PAGE };
  }

  private sortTable(startSym: string, stopSym: string): ExceptionTable {
    const start = this.symbols.address(startSym);
    const stop = this.symbols.address(stopSym);
    if (start === undefined || stop === undefined || stop <= start) return new ExceptionTable([]);
    const table = new ExceptionTable(decodeExceptionTable(this.machine.read(start, Number(stop - start)), start));
    this.machine.write(start, encodeExceptionTable(table.entries, start));
    return table;
  }

  /** Up to 4.18 the linker script marks one start and a stop per type (each type starts where the previous
   *  stopped); from 4.19 each type has its own `__start_bug_frames_N` (Xen commit "x86/bug: …{start, stop}"). */
  private readBugFrames(): BugFrames {
    let from = this.symbols.address('__start_bug_frames');
    const frames = [];
    for (let t = 0; t < 4; t++) {
      from = this.symbols.address(`__start_bug_frames_${t}`) ?? from;
      const stop = this.symbols.address(`__stop_bug_frames_${t}`);
      if (from === undefined || stop === undefined) break;
      if (stop > from) frames.push(...decodeBugFrames(t, this.machine.read(from, Number(stop - from)), from));
      from = stop;
    }
    const m = this.machine;
    return new BugFrames(frames, (a) => (m.isMapped(a) ? m.readCString(a, 512) : undefined));
  }
}

function parseExecutable(bytes: Uint8Array): ElfFile {
  let elf: ElfFile;
  try {
    elf = ElfFile.parse(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw new ImageError(`not a usable ELF image: ${e.message}`);
    throw e;
  }
  if (elf.header.type !== ET_EXEC) throw new ImageError(`ELF type ${elf.header.type} is not ET_EXEC (a linked xen-syms)`);
  if (elf.header.machine !== EM_X86_64) throw new ImageError(`ELF machine ${elf.header.machine} is not x86-64`);
  return elf;
}

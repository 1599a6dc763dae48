import { NT_GNU_BUILD_ID, PT_LOAD, PT_NOTE, SHT_NOBITS, SHT_NOTE, SHT_STRTAB, SHT_SYMTAB } from './constants.ts';
import { ElfError, hex } from './errors.ts';
import { parseHeader, type ElfHeader } from './header.ts';
import { parseNotes, type ElfNote } from './notes.ts';
import { ByteReader } from './reader.ts';
import { readRela, type RelaEntry } from './relocations.ts';
import {
  checkSectionData, programHeaderOffset, readProgramHeaders, readSectionHeadersStrict,
  type ProgramHeader, type SectionHeader,
} from './sections.ts';
import { readSymbols, visitSymbols, type ElfSymbol } from './symbols.ts';

/**
 * A parsed ELF64 little-endian file. Headers are validated eagerly; section
 * and segment contents are checked when first used, so one bad section does
 * not stop callers from reading the rest. Every method throws only ElfError.
 */
export class ElfFile {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: SectionHeader[];
  readonly programHeaders: ProgramHeader[];
  private readonly r: ByteReader;
  private readonly byName = new Map<string, SectionHeader>();
  private symbolCache: ElfSymbol[] | undefined;

  private constructor(bytes: Uint8Array, header: ElfHeader, r: ByteReader) {
    this.bytes = bytes;
    this.header = header;
    this.r = r;
    this.sections = readSectionHeadersStrict(r, header);
    this.programHeaders = readProgramHeaders(r, header);
    // Xen looks sections up by name and the first one wins; keep that.
    for (const s of this.sections) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  static parse(bytes: Uint8Array): ElfFile {
    return new ElfFile(bytes, parseHeader(bytes), new ByteReader(bytes));
  }

  section(name: string): SectionHeader | undefined {
    return this.byName.get(name);
  }

  /** View (no copy) of a section's contents; SHT_NOBITS yields zero bytes. */
  sectionData(s: SectionHeader): Uint8Array {
    checkSectionData(this.r, s);
    if (s.type === SHT_NOBITS) return this.bytes.subarray(0, 0);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** Entries of the first SHT_SYMTAB (entry 0 included); [] if there is none. Cached and shared. */
  symbols(): ElfSymbol[] {
    if (this.symbolCache === undefined) {
      const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
      this.symbolCache = symtab ? readSymbols(this.r, this.sections, symtab) : [];
    }
    return this.symbolCache;
  }

  /** Entries of the first SHT_SYMTAB (0 when there is none): what symbols() will hold. */
  get symbolCount(): number {
    const t = this.sections.find((s) => s.type === SHT_SYMTAB);
    return t && t.entsize ? Math.floor(t.size / t.entsize) : 0;
  }

  /** The entries of symbols() in order, in one reused record (copy what you keep), without building the list. */
  forEachSymbol(fn: (s: Readonly<ElfSymbol>) => void): void {
    if (this.symbolCache) return this.symbolCache.forEach(fn);
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (symtab) visitSymbols(this.r, this.sections, symtab, fn);
  }

  /** Notes in any section (Xen keeps build-id notes in PROGBITS sections too). */
  notes(s: SectionHeader): ElfNote[] {
    const data = this.sectionData(s);
    return parseNotes(this.r, data.byteOffset - this.bytes.byteOffset, data.length,
      `section ${s.index}${s.name ? ` (${s.name})` : ''} notes`);
  }

  /** First GNU build-id: SHT_NOTE sections in header order, then PT_NOTE segments. */
  buildId(): Uint8Array | undefined {
    for (const s of this.sections) {
      if (s.type !== SHT_NOTE) continue;
      const id = findBuildId(this.notes(s));
      if (id) return id;
    }
    for (let i = 0; i < this.programHeaders.length; i++) {
      const p = this.programHeaders[i]!;
      if (p.type !== PT_NOTE) continue;
      this.checkSegmentFile(i);
      const id = findBuildId(parseNotes(this.r, p.offset, p.filesz, `program header ${i} (PT_NOTE) notes`));
      if (id) return id;
    }
    return undefined;
  }

  relocations(s: SectionHeader): RelaEntry[] {
    return readRela(this.r, this.sections, s);
  }

  /**
   * Copy of the memory image [vaddr, vaddr+length) built from PT_LOAD
   * segments (may span adjacent segments); bytes past p_filesz read as zero.
   */
  readAt(vaddr: bigint, length: number): Uint8Array {
    const phoff = this.header.phoff;
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new ElfError(`readAt: invalid length ${length}`, phoff);
    }
    const out = new Uint8Array(length);
    const end = vaddr + BigInt(length);
    let cur = vaddr;
    while (cur < end) {
      const i = this.loadSegmentAt(cur);
      if (i < 0) {
        throw new ElfError(
          `readAt: address ${hex(cur)} (reading ${length} bytes from ${hex(vaddr)}) is not in any PT_LOAD segment`, phoff);
      }
      const p = this.programHeaders[i]!;
      this.checkSegmentFile(i);
      const segEnd = p.vaddr + BigInt(p.memsz);
      const chunkEnd = end < segEnd ? end : segEnd;
      const rel = Number(cur - p.vaddr);
      const n = Number(chunkEnd - cur);
      const fromFile = Math.min(n, p.filesz - rel);
      if (fromFile > 0) out.set(this.bytes.subarray(p.offset + rel, p.offset + rel + fromFile), Number(cur - vaddr));
      cur = chunkEnd;
    }
    return out;
  }

  /** NUL-terminated string at `offset` inside SHT_STRTAB section `sectionIndex`. */
  stringAt(sectionIndex: number, offset: number): string {
    const s = this.sections[sectionIndex];
    if (!s) {
      throw new ElfError(`string table index ${sectionIndex} out of range (e_shnum ${this.sections.length})`,
        this.header.shoff);
    }
    if (s.type !== SHT_STRTAB) {
      throw new ElfError(`section header ${s.index} (${s.name}): type ${s.type} is not SHT_STRTAB`, s.headerOffset);
    }
    checkSectionData(this.r, s);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= s.size) {
      throw new ElfError(`string offset ${offset} beyond string table ${s.index} (size ${hex(s.size)})`, s.headerOffset);
    }
    return this.r.cstring(s.offset + offset, s.offset + s.size, `string table ${s.index}`);
  }

  private loadSegmentAt(addr: bigint): number {
    const ph = this.programHeaders;
    for (let i = 0; i < ph.length; i++) {
      const p = ph[i]!;
      if (p.type === PT_LOAD && addr >= p.vaddr && addr < p.vaddr + BigInt(p.memsz)) return i;
    }
    return -1;
  }

  private checkSegmentFile(i: number): void {
    const p = this.programHeaders[i]!;
    const at = programHeaderOffset(this.header, i);
    if (p.type === PT_LOAD && p.filesz > p.memsz) {
      throw new ElfError(`program header ${i}: p_filesz ${hex(p.filesz)} exceeds p_memsz ${hex(p.memsz)}`, at);
    }
    if (!this.r.fits(p.offset, p.filesz)) {
      throw new ElfError(
        `program header ${i}: p_offset+p_filesz (${hex(p.offset + p.filesz)}) beyond end of file (${hex(this.r.length)})`, at);
    }
  }
}

function findBuildId(notes: ElfNote[]): Uint8Array | undefined {
  for (const n of notes) if (n.type === NT_GNU_BUILD_ID && n.name === 'GNU') return n.desc;
  return undefined;
}

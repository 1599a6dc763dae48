// Tiny ELF64 LE writer for tests: lays out header, program headers, section
// data and the section header table so tests can build exactly the (valid or
// broken) image they need and know where every record lives.
import {
  ELFCLASS64, ELFDATA2LSB, EM_X86_64, ET_REL, EV_CURRENT, SHT_NOBITS, SHT_NULL, SHT_STRTAB, SHT_SYMTAB,
} from '../../loader/elf/index.ts';

export interface WSection {
  name: string;
  type: number;
  flags?: bigint;
  addr?: bigint;
  data?: Uint8Array;
  /** Size for SHT_NOBITS (data is not written). */
  size?: number;
  link?: number;
  info?: number;
  addralign?: bigint;
  entsize?: number;
}

export interface WSegment {
  type: number;
  flags?: number;
  vaddr: bigint;
  data?: Uint8Array;
  memsz?: number;
  align?: bigint;
}

export interface WSymbol {
  name: string;
  value?: bigint;
  size?: number;
  type?: number;
  bind?: number;
  other?: number;
  shndx?: number;
}

export interface BuildOptions {
  type?: number;
  machine?: number;
  entry?: bigint;
  sections?: WSection[];
  segments?: WSegment[];
  /** Appends .symtab/.strtab (symbol 0 is added automatically). */
  symbols?: WSymbol[];
}

export interface Built {
  bytes: Uint8Array;
  shoff: number;
  phoff: number;
  /** Section index by name (after .symtab/.strtab/.shstrtab were appended). */
  index: Map<string, number>;
  /** File offset of each section's data. */
  dataOffset: number[];
  /** File offset of each segment's data. */
  segmentOffset: number[];
}

export const SHDR = 64;
export const PHDR = 56;

/** A string table and the offset of each added string ("" is offset 0). */
export class StrTab {
  private parts: number[] = [0];
  private seen = new Map<string, number>([['', 0]]);
  add(s: string): number {
    const hit = this.seen.get(s);
    if (hit !== undefined) return hit;
    const off = this.parts.length;
    for (const b of new TextEncoder().encode(s)) this.parts.push(b);
    this.parts.push(0);
    this.seen.set(s, off);
    return off;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function symtabBytes(symbols: WSymbol[], strtab: StrTab): Uint8Array {
  const out = new Uint8Array(24 * (symbols.length + 1));
  const v = new DataView(out.buffer);
  symbols.forEach((s, i) => {
    const o = 24 * (i + 1);
    v.setUint32(o, strtab.add(s.name), true);
    out[o + 4] = ((s.bind ?? 0) << 4) | (s.type ?? 0);
    out[o + 5] = s.other ?? 0;
    v.setUint16(o + 6, s.shndx ?? 0, true);
    v.setBigUint64(o + 8, s.value ?? 0n, true);
    v.setBigUint64(o + 16, BigInt(s.size ?? 0), true);
  });
  return out;
}

export function relaBytes(entries: { offset: bigint; type: number; sym: number; addend: bigint }[]): Uint8Array {
  const out = new Uint8Array(24 * entries.length);
  const v = new DataView(out.buffer);
  entries.forEach((e, i) => {
    v.setBigUint64(24 * i, e.offset, true);
    v.setUint32(24 * i + 8, e.type, true);
    v.setUint32(24 * i + 12, e.sym, true);
    v.setBigInt64(24 * i + 16, e.addend, true);
  });
  return out;
}

/** One note record, name NUL-terminated, name and desc padded to 4. */
export function noteBytes(name: string, type: number, desc: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name + '\0');
  const pad = (n: number) => (n + 3) & ~3;
  const out = new Uint8Array(12 + pad(nameBytes.length) + pad(desc.length));
  const v = new DataView(out.buffer);
  v.setUint32(0, nameBytes.length, true);
  v.setUint32(4, desc.length, true);
  v.setUint32(8, type, true);
  out.set(nameBytes, 12);
  out.set(desc, 12 + pad(nameBytes.length));
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function buildElf(opts: BuildOptions = {}): Built {
  const sections: WSection[] = [{ name: '', type: SHT_NULL }, ...(opts.sections ?? [])];
  if (opts.symbols) {
    const strtab = new StrTab();
    const data = symtabBytes(opts.symbols, strtab);
    const firstGlobal = opts.symbols.findIndex((s) => (s.bind ?? 0) !== 0);
    sections.push({
      name: '.symtab', type: SHT_SYMTAB, data, link: sections.length + 1, entsize: 24, addralign: 8n,
      info: firstGlobal < 0 ? opts.symbols.length + 1 : firstGlobal + 1,
    });
    sections.push({ name: '.strtab', type: SHT_STRTAB, data: strtab.bytes(), addralign: 1n });
  }
  const shstr = new StrTab();
  const nameOffsets = sections.map((s) => shstr.add(s.name));
  nameOffsets.push(shstr.add('.shstrtab'));
  sections.push({ name: '.shstrtab', type: SHT_STRTAB, data: shstr.bytes(), addralign: 1n });

  const segments = opts.segments ?? [];
  const align8 = (n: number) => (n + 7) & ~7;
  const phoff = segments.length ? 64 : 0;
  let cur = 64 + PHDR * segments.length;
  const segmentOffset = segments.map((s) => {
    cur = align8(cur);
    const o = cur;
    cur += s.data?.length ?? 0;
    return o;
  });
  const dataOffset = sections.map((s) => {
    cur = align8(cur);
    const o = s.type === SHT_NULL ? 0 : cur;
    if (s.type !== SHT_NOBITS) cur += s.data?.length ?? 0;
    return o;
  });
  const shoff = align8(cur);
  const bytes = new Uint8Array(shoff + SHDR * sections.length);
  const v = new DataView(bytes.buffer);

  bytes.set([0x7f, 0x45, 0x4c, 0x46, ELFCLASS64, ELFDATA2LSB, EV_CURRENT], 0);
  v.setUint16(0x10, opts.type ?? ET_REL, true);
  v.setUint16(0x12, opts.machine ?? EM_X86_64, true);
  v.setUint32(0x14, EV_CURRENT, true);
  v.setBigUint64(0x18, opts.entry ?? 0n, true);
  v.setBigUint64(0x20, BigInt(phoff), true);
  v.setBigUint64(0x28, BigInt(shoff), true);
  v.setUint16(0x34, 64, true);
  v.setUint16(0x36, segments.length ? PHDR : 0, true);
  v.setUint16(0x38, segments.length, true);
  v.setUint16(0x3a, SHDR, true);
  v.setUint16(0x3c, sections.length, true);
  v.setUint16(0x3e, sections.length - 1, true);

  segments.forEach((s, i) => {
    const o = phoff + PHDR * i;
    const filesz = s.data?.length ?? 0;
    v.setUint32(o, s.type, true);
    v.setUint32(o + 4, s.flags ?? 4, true);
    v.setBigUint64(o + 8, BigInt(segmentOffset[i]!), true);
    v.setBigUint64(o + 16, s.vaddr, true);
    v.setBigUint64(o + 24, s.vaddr, true);
    v.setBigUint64(o + 32, BigInt(filesz), true);
    v.setBigUint64(o + 40, BigInt(s.memsz ?? filesz), true);
    v.setBigUint64(o + 48, s.align ?? 0x1000n, true);
    if (s.data) bytes.set(s.data, segmentOffset[i]!);
  });
  sections.forEach((s, i) => {
    const o = shoff + SHDR * i;
    const size = s.type === SHT_NOBITS ? (s.size ?? 0) : (s.data?.length ?? 0);
    if (i > 0) v.setUint32(o, nameOffsets[i]!, true);
    v.setUint32(o + 4, s.type, true);
    v.setBigUint64(o + 8, s.flags ?? 0n, true);
    v.setBigUint64(o + 16, s.addr ?? 0n, true);
    v.setBigUint64(o + 24, BigInt(dataOffset[i]!), true);
    v.setBigUint64(o + 32, BigInt(size), true);
    v.setUint32(o + 40, s.link ?? 0, true);
    v.setUint32(o + 44, s.info ?? 0, true);
    v.setBigUint64(o + 48, s.addralign ?? (i ? 1n : 0n), true);
    v.setBigUint64(o + 56, BigInt(s.entsize ?? 0), true);
    if (s.data && s.type !== SHT_NOBITS) bytes.set(s.data, dataOffset[i]!);
  });
  return { bytes, shoff, phoff, index: new Map(sections.map((s, i) => [s.name, i])), dataOffset, segmentOffset };
}

/** Little-endian patch helpers for corrupting copies. */
export function put16(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint16(off, v, true);
}
export function put32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(off, v, true);
}
export function put64(b: Uint8Array, off: number, v: bigint): void {
  new DataView(b.buffer, b.byteOffset).setBigUint64(off, v, true);
}

export const BASE_VADDR = 0xffff82d040200000n;
export const BASE_BUILD_ID = Uint8Array.from({ length: 20 }, (_, i) => i * 7 + 1);

/**
 * A small, fully valid image exercising every reader: .text + .rela.text,
 * a build-id note, .bss, two STT_FILE groups with a static `helper` each, and
 * two adjacent PT_LOAD segments (the first with a bss tail) plus a PT_NOTE.
 * Indices: 1 .text, 2 .rela.text, 3 .note.gnu.build-id, 4 .bss, 5 .symtab, 6 .strtab, 7 .shstrtab.
 */
export function baseImage(): Built {
  const text = Uint8Array.from({ length: 32 }, (_, i) => 0x90 + (i % 8));
  return buildElf({
    type: 2, // ET_EXEC: both sections and segments
    entry: BASE_VADDR,
    sections: [
      { name: '.text', type: 1, flags: 6n, addr: BASE_VADDR, data: text, addralign: 16n },
      {
        name: '.rela.text', type: 4, flags: 0x40n, link: 5, info: 1, entsize: 24, addralign: 8n,
        data: relaBytes([
          { offset: 1n, type: 2, sym: 2, addend: -4n },
          { offset: 6n, type: 4, sym: 5, addend: -4n },
          { offset: 16n, type: 1, sym: 4, addend: 0x10n },
        ]),
      },
      { name: '.note.gnu.build-id', type: 7, flags: 2n, addralign: 4n, data: noteBytes('GNU', 3, BASE_BUILD_ID) },
      { name: '.bss', type: 8, flags: 3n, size: 0x100, addralign: 8n },
    ],
    symbols: [
      { name: 'a.c', type: 4, shndx: 0xfff1 },
      { name: 'helper', type: 2, shndx: 1, value: BASE_VADDR, size: 8 },
      { name: 'b.c', type: 4, shndx: 0xfff1 },
      { name: 'helper', type: 2, shndx: 1, value: BASE_VADDR + 0x10n, size: 8 },
      { name: 'main', type: 2, bind: 1, shndx: 1, value: BASE_VADDR + 0x8n, size: 8 },
    ],
    segments: [
      { type: 1, flags: 5, vaddr: BASE_VADDR, data: Uint8Array.from({ length: 16 }, (_, i) => i + 1), memsz: 32 },
      { type: 1, flags: 6, vaddr: BASE_VADDR + 32n, data: Uint8Array.of(0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8) },
      { type: 4, vaddr: 0n, data: noteBytes('GNU', 3, Uint8Array.of(0xee, 0xff)) },
    ],
  });
}

// A Xen image as lint sees it: the ELF file, Xen's symbol table, the code regions to decode and (lazily) the
// call graph. No Machine: everything comes from the file.
import { readFileSync, statSync } from 'node:fs';
import {
  ElfFile, SHF_EXECINSTR, SHN_UNDEF, SHT_PROGBITS, STT_FILE, STT_FUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION,
  type ElfSymbol, type SectionHeader,
} from '../elf/index.ts';
import { SymbolTable, xenSymbolName } from '../image/symbols.ts';
import { CallGraph } from './callgraph.ts';
import { COMMENT_SECTION, SWITCHES_SECTION, sectionStrings } from './comment.ts';

/** Code to decode: a sized STT_FUNC (exact bounds) or an assembler label up to the next symbol (best effort). */
export interface CodeRegion {
  /** Xen's name (`path#name` for statics). */
  name: string;
  address: bigint;
  size: number;
  isFunction: boolean;
  /** The bytes of its section and where the region starts in them. */
  data: Uint8Array;
  offset: number;
  /** Address of data[0]. */
  base: bigint;
}

/** A data or function symbol with Xen's name, as the rules need it. */
export interface LintSymbol {
  name: string;
  plain: string;
  address: bigint;
  size: number;
  type: number;
  local: boolean;
  file: string | undefined;
}

export class LintImage {
  readonly symbols: SymbolTable;
  readonly buildId: Uint8Array | undefined;
  /** `.comment` strings ([] if the image has none: our builtin image's linker script discards it). */
  readonly comment: string[];
  /** `.GCC.command.line` strings (-frecord-gcc-switches), undefined if absent. */
  readonly switches: string[] | undefined;
  /** Every named FUNC/OBJECT/NOTYPE symbol (duplicates included), in symbol-table order. */
  readonly allSymbols: LintSymbol[];
  /** Sorted by address. */
  readonly regions: CodeRegion[];
  private readonly byName = new Map<string, CodeRegion>();
  private graph: CallGraph | undefined;

  private static cache = new Map<string, { key: string; image: LintImage }>();

  /** Parsed once per file (re-parsed when it changes): linting several payloads reuses the call graph. */
  static load(path: string): LintImage {
    const st = statSync(path);
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = LintImage.cache.get(path);
    if (hit && hit.key === key) return hit.image;
    const image = new LintImage(path, ElfFile.parse(readFileSync(path)));
    LintImage.cache.set(path, { key, image });
    return image;
  }

  constructor(readonly path: string, readonly elf: ElfFile) {
    const syms = elf.symbols();
    this.symbols = SymbolTable.fromElf(syms);
    this.buildId = elf.buildId();
    const comment = elf.section(COMMENT_SECTION);
    this.comment = comment ? sectionStrings(elf.sectionData(comment)) : [];
    const switches = elf.section(SWITCHES_SECTION);
    this.switches = switches ? sectionStrings(elf.sectionData(switches)) : undefined;
    this.allSymbols = syms.filter(isNamedDefinition).map((s) => ({
      name: xenSymbolName(s), plain: s.name, address: s.value, size: s.size, type: s.type,
      local: s.bind === 0, file: s.file,
    }));
    this.regions = codeRegions(elf, syms);
    for (const r of this.regions) if (r.isFunction && !this.byName.has(r.name)) this.byName.set(r.name, r);
  }

  get functions(): CodeRegion[] {
    return this.regions.filter((r) => r.isFunction);
  }

  /** The function called `name` (Xen's name). */
  functionNamed(name: string): CodeRegion | undefined {
    return this.byName.get(name);
  }

  /** The code region containing `address`. */
  regionAt(address: bigint): CodeRegion | undefined {
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = rs[mid]!;
      if (address < r.address) hi = mid - 1;
      else if (address >= r.address + BigInt(r.size)) lo = mid + 1;
      else return r;
    }
    return undefined;
  }

  /** Bytes of the loaded image, or undefined where nothing is loaded. */
  read(address: bigint, length: number): Uint8Array | undefined {
    try {
      return this.elf.readAt(address, length);
    } catch {
      return undefined;
    }
  }

  /** Direct branches between code regions (decoded on first use, then kept). */
  callGraph(): CallGraph {
    this.graph ??= CallGraph.build(this.regions);
    return this.graph;
  }
}

function isNamedDefinition(s: ElfSymbol): boolean {
  return s.name !== '' && s.shndx !== SHN_UNDEF && s.type !== STT_FILE && s.type !== STT_SECTION;
}

/**
 * Executable sections that still exist when patches are applied: `.init.*` is freed after boot (and holds
 * 16/32-bit boot code that would not decode as 64-bit anyway).
 */
const isCode = (s: SectionHeader): boolean =>
  s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0n && !s.name.startsWith('.init');

function codeRegions(elf: ElfFile, syms: readonly ElfSymbol[]): CodeRegion[] {
  const out: CodeRegion[] = [];
  for (const sec of elf.sections) {
    if (!isCode(sec) || sec.size === 0) continue;
    const data = elf.sectionData(sec);
    const end = sec.addr + BigInt(sec.size);
    const inSec = syms.filter((s) => s.shndx === sec.index && s.name !== '' && s.value >= sec.addr && s.value < end &&
      (s.type === STT_FUNC || s.type === STT_NOTYPE || s.type === STT_OBJECT));
    const starts = [...new Set(inSec.map((s) => s.value))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const funcs = inSec.filter((s) => s.type === STT_FUNC && s.size > 0);
    const region = (s: ElfSymbol, size: number, isFunction: boolean): CodeRegion => ({
      name: xenSymbolName(s), address: s.value, size, isFunction, data, offset: Number(s.value - sec.addr), base: sec.addr,
    });
    for (const f of funcs) out.push(region(f, f.size, true));
    const insideFunction = (a: bigint): boolean => funcs.some((f) => a >= f.value && a < f.value + BigInt(f.size));
    // Assembler entry points (ENTRY() without a type or size) hold calls too; they run to the next symbol.
    const seen = new Set<bigint>();
    for (const s of inSec) {
      if (s.type !== STT_NOTYPE || s.size !== 0 || seen.has(s.value) || insideFunction(s.value)) continue;
      seen.add(s.value);
      const next = starts.find((a) => a > s.value) ?? end;
      out.push(region(s, Number(next - s.value), false));
    }
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

// The hypervisor's symbol table as Xen's tools/symbols.c builds it with --all-symbols: globals by their
// name, statics as `<path>#<name>` with the path of the preceding STT_FILE symbol.
import { ElfFile, type ElfSymbol, SHN_ABS, SHN_UNDEF, STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION } from '../elf/index.ts';

export interface ImageSymbol {
  name: string;
  /** The name as written in the object (without `path#`). */
  plainName: string;
  address: bigint;
  size: number;
  type: number;
  local: boolean;
  file: string | undefined;
}

/** Xen's name of a static: the path of its STT_FILE, `#`, its name. */
const staticName = (file: string, name: string): string => `${file}#${name}`;

export function xenSymbolName(s: ElfSymbol): string {
  return s.bind === STB_LOCAL && s.file !== undefined ? staticName(s.file, s.name) : s.name;
}

/** Xen's order among symbols at one address: functions, then objects, then the rest; globals before locals. */
const rankOf = (type: number, local: boolean): number => (type === STT_FUNC ? 0 : type === STT_OBJECT ? 1 : 2) + (local ? 0.5 : 0);

const LOCAL = 0x10;
const NAMES_ADDRESSES = 0x20;
/** A static after an STT_FILE: named `origin#plain`. */
const STATIC = 0x40;

/**
 * Kept as columns, not an object per symbol: an image has thousands of symbols and a command looks up a few
 * dozen, so building ~7000 objects (and their garbage) at every boot was most of what a symbol table cost.
 * An ImageSymbol is made when asked for. The names `path#name` of statics are not even built at boot: only
 * the other names are indexed then; a `#` name is found by comparing pieces until lookups of such names are
 * common enough to index them too.
 */
export class SymbolTable {
  private count = 0;
  private plain: string[] = [];
  /** The file an ELF symbol followed, whatever its binding (ImageSymbol.file; a static's path). */
  private origin: (string | undefined)[] = [];
  /** A Xen name given as is (a payload's table), when it is not the one plain/origin make. */
  private explicit: (string | undefined)[] = [];
  private addr: BigUint64Array;
  private sizes: Float64Array;
  private kind: Uint8Array;
  /** First index of each name that needs no `path#` (built at once). */
  private readonly direct = new Map<string, number>();
  /** Indices of statics named `path#name`, and their index once built. */
  private readonly statics: number[] = [];
  private staticIndex: Map<string, number> | undefined;
  private staticLookups = 0;
  private allNames: Map<string, number> | undefined;
  private duplicateCache: Map<string, ImageSymbol[]> | undefined;
  private sortedCache: Uint32Array | undefined;

  /** Xen's symbol table of a linked image (one pass: this runs for every symbol of the image at each boot). */
  static fromElf(elf: ElfFile | readonly ElfSymbol[]): SymbolTable {
    const t = new SymbolTable([], new Set(), elf instanceof ElfFile ? elf.symbolCount : elf.length);
    const take = (s: Readonly<ElfSymbol>): void => {
      if (!s.name || s.type === STT_FILE || s.type === STT_SECTION || s.shndx === SHN_UNDEF) return;
      const local = s.bind === STB_LOCAL;
      t.push(s.name, local && s.file !== undefined, s.file, undefined, s.value, s.size, s.type, local, s.shndx !== SHN_ABS);
    };
    if (elf instanceof ElfFile) elf.forEachSymbol(take);
    else elf.forEach(take);
    return t;
  }

  /** `notAddresses`: symbols found by name but never used to name an address (absolute values). */
  constructor(symbols: readonly ImageSymbol[], notAddresses: ReadonlySet<ImageSymbol> = new Set(), capacity = symbols.length) {
    this.addr = new BigUint64Array(Math.max(capacity, 1));
    this.sizes = new Float64Array(Math.max(capacity, 1));
    this.kind = new Uint8Array(Math.max(capacity, 1));
    for (const sym of symbols) {
      this.push(sym.plainName, false, sym.file, sym.name === sym.plainName ? undefined : sym.name, sym.address, sym.size, sym.type, sym.local, !notAddresses.has(sym));
    }
  }

  private push(plain: string, isStatic: boolean, origin: string | undefined, explicit: string | undefined, address: bigint,
    size: number, type: number, local: boolean, namesAddresses: boolean): void {
    const i = this.count++;
    if (i === this.addr.length) this.grow();
    this.plain.push(plain);
    this.origin.push(origin);
    this.explicit.push(explicit);
    this.addr[i] = BigInt.asUintN(64, address);
    this.sizes[i] = size;
    this.kind[i] = (type & 0xf) | (local ? LOCAL : 0) | (namesAddresses ? NAMES_ADDRESSES : 0) | (isStatic ? STATIC : 0);
    if (isStatic) this.statics.push(i);
    else {
      const name = explicit ?? plain;
      if (!this.direct.has(name)) this.direct.set(name, i);
    }
  }

  private grow(): void {
    const n = this.addr.length * 2;
    const addr = new BigUint64Array(n);
    addr.set(this.addr);
    const sizes = new Float64Array(n);
    sizes.set(this.sizes);
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    [this.addr, this.sizes, this.kind] = [addr, sizes, kind];
  }

  private nameOf(i: number): string {
    return this.kind[i]! & STATIC ? staticName(this.origin[i]!, this.plain[i]!) : (this.explicit[i] ?? this.plain[i]!);
  }

  private symbolAt(i: number): ImageSymbol {
    return {
      name: this.nameOf(i), plainName: this.plain[i]!, address: this.addr[i]!, size: this.sizes[i]!, type: this.kind[i]! & 0xf,
      local: (this.kind[i]! & LOCAL) !== 0, file: this.origin[i],
    };
  }

  /** The first symbol of that Xen name (the one Xen's lookup finds). */
  private indexOf(name: string): number | undefined {
    const direct = this.direct.get(name);
    if (!this.statics.length || !name.includes('#')) return direct;
    const late = this.staticIndexOf(name);
    return direct === undefined ? late : late === undefined ? direct : Math.min(direct, late);
  }

  private staticIndexOf(name: string): number | undefined {
    if (!this.staticIndex && ++this.staticLookups > 8) {
      this.staticIndex = new Map();
      for (const i of this.statics) {
        const n = this.nameOf(i);
        if (!this.staticIndex.has(n)) this.staticIndex.set(n, i);
      }
    }
    if (this.staticIndex) return this.staticIndex.get(name);
    for (const i of this.statics) {
      const file = this.origin[i]!;
      const plain = this.plain[i]!;
      if (name.length === file.length + 1 + plain.length && name.charCodeAt(file.length) === 0x23 && name.startsWith(file) && name.endsWith(plain)) return i;
    }
    return undefined;
  }

  /** Every Xen name with the index of its first symbol, in order of first appearance. */
  private names(): Map<string, number> {
    if (!this.allNames) {
      this.allNames = new Map();
      for (let i = 0; i < this.count; i++) {
        const n = this.nameOf(i);
        if (!this.allNames.has(n)) this.allNames.set(n, i);
      }
    }
    return this.allNames;
  }

  /** Names defined more than once (Xen's build fails on these with ENFORCE_UNIQUE_SYMBOLS). */
  get duplicates(): ReadonlyMap<string, ImageSymbol[]> {
    if (!this.duplicateCache) {
      const seen = new Map<string, number[]>();
      for (let i = 0; i < this.count; i++) {
        const n = this.nameOf(i);
        const at = seen.get(n);
        if (at) at.push(i);
        else seen.set(n, [i]);
      }
      this.duplicateCache = new Map([...seen].filter(([, at]) => at.length > 1).map(([n, at]) => [n, at.map((i) => this.symbolAt(i))]));
    }
    return this.duplicateCache;
  }

  /** Indices of the symbols that may name an address, by address, best first at equal addresses (on first use). */
  private get sorted(): Uint32Array {
    if (!this.sortedCache) {
      const idx: number[] = [];
      for (let i = 0; i < this.count; i++) if (this.kind[i]! & NAMES_ADDRESSES) idx.push(i);
      const rank = (i: number): number => rankOf(this.kind[i]! & 0xf, (this.kind[i]! & LOCAL) !== 0);
      idx.sort((a, b) => (this.addr[a]! < this.addr[b]! ? -1 : this.addr[a]! > this.addr[b]! ? 1 : rank(a) - rank(b)));
      this.sortedCache = Uint32Array.from(idx);
    }
    return this.sortedCache;
  }

  get size(): number {
    return this.names().size;
  }

  lookup(name: string): ImageSymbol | undefined {
    const i = this.indexOf(name);
    return i === undefined ? undefined : this.symbolAt(i);
  }

  address(name: string): bigint | undefined {
    const i = this.indexOf(name);
    return i === undefined ? undefined : this.addr[i];
  }

  *all(): IterableIterator<ImageSymbol> {
    for (const i of this.names().values()) yield this.symbolAt(i);
  }

  /** The symbol containing `address`: the nearest one at or below it, bounded by its size when it has one. */
  containing(address: bigint, limit?: { start: bigint; end: bigint }): ImageSymbol | undefined {
    if (limit && (address < limit.start || address >= limit.end)) return undefined;
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.addr[sorted[mid]!]! <= address) (best = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const at = this.addr[sorted[best]!]!;
    while (best > 0 && this.addr[sorted[best - 1]!]! === at) best--; // best-ranked symbol at that address
    const i = sorted[best]!;
    if (this.sizes[i] && address >= at + BigInt(this.sizes[i]!) && !limit) return undefined;
    return this.symbolAt(i);
  }

  symbolize(address: bigint, limit?: { start: bigint; end: bigint }): string | undefined {
    const s = this.containing(address, limit);
    return s ? `${s.name}+0x${(address - s.address).toString(16)}` : undefined;
  }
}

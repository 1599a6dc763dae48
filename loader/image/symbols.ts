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

export function xenSymbolName(s: ElfSymbol): string {
  return s.bind === STB_LOCAL && s.file !== undefined ? `${s.file}#${s.name}` : s.name;
}

const rank = (s: ImageSymbol): number => (s.type === STT_FUNC ? 0 : s.type === STT_OBJECT ? 1 : 2) + (s.local ? 0.5 : 0);

export class SymbolTable {
  private readonly byName = new Map<string, ImageSymbol>();
  /** Names defined more than once (Xen's build fails on these with ENFORCE_UNIQUE_SYMBOLS). */
  readonly duplicates = new Map<string, ImageSymbol[]>();
  /** Symbols that may name an address: sorted by address, best first at equal addresses, on first use (a
   *  command that only looks names up never pays for the sort). */
  private unsorted: ImageSymbol[] | undefined = [];
  private sortedCache: ImageSymbol[] | undefined;

  /** Xen's symbol table of a linked image (one pass: this runs for every symbol of the image at each boot). */
  static fromElf(elf: ElfFile | readonly ElfSymbol[]): SymbolTable {
    const t = new SymbolTable([]);
    const take = (s: Readonly<ElfSymbol>): void => {
      if (!s.name || s.type === STT_FILE || s.type === STT_SECTION || s.shndx === SHN_UNDEF) return;
      const sym: ImageSymbol = {
        name: xenSymbolName(s), plainName: s.name, address: s.value, size: s.size, type: s.type,
        local: s.bind === STB_LOCAL, file: s.file,
      };
      t.add(sym, s.shndx !== SHN_ABS);
    };
    if (elf instanceof ElfFile) elf.forEachSymbol(take);
    else elf.forEach(take);
    return t;
  }

  /** `notAddresses`: symbols found by name but never used to name an address (absolute values). */
  constructor(symbols: readonly ImageSymbol[], notAddresses: ReadonlySet<ImageSymbol> = new Set()) {
    for (const sym of symbols) this.add(sym, !notAddresses.has(sym));
  }

  private add(sym: ImageSymbol, namesAddresses: boolean): void {
    const prev = this.byName.get(sym.name);
    if (prev) this.duplicates.set(sym.name, [...(this.duplicates.get(sym.name) ?? [prev]), sym]);
    else this.byName.set(sym.name, sym);
    if (namesAddresses) this.unsorted!.push(sym);
  }

  private get sorted(): ImageSymbol[] {
    if (!this.sortedCache) {
      this.sortedCache = this.unsorted!.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : rank(a) - rank(b)));
      this.unsorted = undefined;
    }
    return this.sortedCache;
  }

  get size(): number {
    return this.byName.size;
  }

  lookup(name: string): ImageSymbol | undefined {
    return this.byName.get(name);
  }

  address(name: string): bigint | undefined {
    return this.byName.get(name)?.address;
  }

  all(): IterableIterator<ImageSymbol> {
    return this.byName.values();
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
      if (sorted[mid]!.address <= address) (best = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const at = sorted[best]!.address;
    while (best > 0 && sorted[best - 1]!.address === at) best--; // best-ranked symbol at that address
    const s = sorted[best]!;
    if (s.size && address >= s.address + BigInt(s.size) && !limit) return undefined;
    return s;
  }

  symbolize(address: bigint, limit?: { start: bigint; end: bigint }): string | undefined {
    const s = this.containing(address, limit);
    return s ? `${s.name}+0x${(address - s.address).toString(16)}` : undefined;
  }
}

// The hypervisor's symbol table as Xen's tools/symbols.c builds it with --all-symbols: globals by their
// name, statics as `<path>#<name>` with the path of the preceding STT_FILE symbol.
import { type ElfSymbol, SHN_ABS, SHN_UNDEF, STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION } from '../elf/index.ts';

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
  /** Sorted by address, best symbol first at equal addresses. */
  private readonly sorted: ImageSymbol[];

  /** Xen's symbol table of a linked image. */
  static fromElf(elfSymbols: readonly ElfSymbol[]): SymbolTable {
    const list: ImageSymbol[] = [];
    const absolute = new Set<ImageSymbol>();
    for (const s of elfSymbols) {
      if (!s.name || s.type === STT_FILE || s.type === STT_SECTION || s.shndx === SHN_UNDEF) continue;
      const sym: ImageSymbol = {
        name: xenSymbolName(s), plainName: s.name, address: s.value, size: s.size, type: s.type,
        local: s.bind === STB_LOCAL, file: s.file,
      };
      list.push(sym);
      if (s.shndx === SHN_ABS) absolute.add(sym);
    }
    return new SymbolTable(list, absolute);
  }

  /** `notAddresses`: symbols found by name but never used to name an address (absolute values). */
  constructor(symbols: readonly ImageSymbol[], notAddresses: ReadonlySet<ImageSymbol> = new Set()) {
    const all: ImageSymbol[] = [];
    for (const sym of symbols) {
      const prev = this.byName.get(sym.name);
      if (prev) this.duplicates.set(sym.name, [...(this.duplicates.get(sym.name) ?? [prev]), sym]);
      else this.byName.set(sym.name, sym);
      if (!notAddresses.has(sym)) all.push(sym);
    }
    this.sorted = all.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : rank(a) - rank(b)));
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
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.address <= address) (best = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const at = this.sorted[best]!.address;
    while (best > 0 && this.sorted[best - 1]!.address === at) best--; // best-ranked symbol at that address
    const s = this.sorted[best]!;
    if (s.size && address >= s.address + BigInt(s.size) && !limit) return undefined;
    return s;
  }

  symbolize(address: bigint, limit?: { start: bigint; end: bigint }): string | undefined {
    const s = this.containing(address, limit);
    return s ? `${s.name}+0x${(address - s.address).toString(16)}` : undefined;
  }
}

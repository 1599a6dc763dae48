// Step (j), build_symbol_table + is_payload_symbol (spec §2.8): which symbols the payload keeps, which of them
// override a patched function, and the refusal of "new" names that already exist.
import { SHF_MERGE, SHN_UNDEF, STB_LOCAL } from '../../elf/constants.ts';
import { decodeString } from '../../elf/reader.ts';
import { Errno, fail } from '../errno.ts';
import { KSYM_NAME_LEN } from './constants.ts';
import { isAlloc, type ElfModel } from './model.ts';
import { lookupByName, type ResolvedSymbols } from './resolve.ts';
import type { PayloadSymbol, PreparedFunc, UploadContext } from './types.ts';

export function buildSymbolTable(
  elf: ElfModel, syms: ResolvedSymbols, funcs: readonly PreparedFunc[], ctx: UploadContext,
): PayloadSymbol[] {
  const newAddrs = new Set(funcs.map((f) => f.newAddr));
  const kept: PayloadSymbol[] = [];
  for (let i = 1; i < elf.symbols.length; i++) {
    const s = elf.symbols[i]!;
    if (s.shndx === SHN_UNDEF || s.shndx >= elf.shnum) continue;
    const sec = elf.sections[s.shndx]!;
    if (!isAlloc(sec) || s.name === '') continue;
    // Assembler-local labels in mergeable sections (ld drops them in final links).
    if ((sec.flags & SHF_MERGE) !== 0n && s.name.startsWith('.L')) continue;
    const value = syms.value[i]!;
    kept.push({
      name: storedName(elf, s.nameAt), address: value, size: Number(BigInt.asUintN(32, s.size)), type: s.type,
      local: s.bind === STB_LOCAL, isNew: !newAddrs.has(value),
    });
  }
  for (const k of kept) {
    if (k.isNew && lookupByName(ctx, k.name) !== undefined) {
      fail(Errno.EEXIST, `duplicate new symbol "${k.name}" (already in Xen or a loaded payload)`);
    }
  }
  return kept;
}

/** Xen strlcpy()s each name into a KSYM_NAME_LEN buffer, so longer names are kept truncated. */
function storedName(elf: ElfModel, at: number): string {
  const nul = elf.bytes.indexOf(0, at);
  return decodeString(elf.bytes, at, Math.min(nul, at + KSYM_NAME_LEN - 1));
}

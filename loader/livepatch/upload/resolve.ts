// Step (d), livepatch_elf_resolve_symbols (spec §2.5): final value of every symbol, in symbol order.
import { SHN_ABS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF } from '../../elf/constants.ts';
import { hex } from '../../elf/errors.ts';
import { Errno, fail } from '../errno.ts';
import type { Layout } from './layout.ts';
import type { ElfModel } from './model.ts';
import type { UploadContext } from './types.ts';

export interface ResolvedSymbols {
  /** st_value after resolution (Xen writes it back into its copy of the symbol table). */
  value: bigint[];
  /** Defined in a section that is not loaded: relocations against it fail. */
  ignored: boolean[];
}

/** symbols_lookup_by_name, then the new symbols of loaded payloads; 0 means "not found" to Xen. */
export function lookupByName(ctx: UploadContext, name: string): bigint | undefined {
  if (name === '') return undefined;
  return ctx.lookupXenSymbol(name) || ctx.lookupPayloadSymbol(name) || undefined;
}

export function resolveSymbols(elf: ElfModel, layout: Layout, ctx: UploadContext): ResolvedSymbols {
  const value = elf.symbols.map((s) => s.value);
  const ignored = elf.symbols.map(() => false);
  for (let i = 1; i < elf.symbols.length; i++) {
    const s = elf.symbols[i]!;
    const where = `symbol ${i} "${s.name}"`;
    switch (s.shndx) {
      case SHN_COMMON:
        fail(Errno.EINVAL, `${where}: unexpected common symbol`);
      case SHN_UNDEF: {
        const v = lookupByName(ctx, s.name);
        if (v === undefined) fail(Errno.ENOENT, `${where}: unknown symbol (not in Xen or any loaded payload)`);
        value[i] = v;
        break;
      }
      case SHN_ABS:
        break;
      default: {
        if (s.shndx >= SHN_LORESERVE) fail(Errno.EOPNOTSUPP, `${where}: unsupported section index ${hex(s.shndx)}`);
        if (s.shndx >= elf.shnum) fail(Errno.EINVAL, `${where}: section index ${s.shndx} >= e_shnum ${elf.shnum}`);
        const at = layout.address[s.shndx];
        if (at === undefined) ignored[i] = true;
        else value[i] = BigInt.asUintN(64, s.value + at);
      }
    }
  }
  return { value, ignored };
}

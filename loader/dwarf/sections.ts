// The DWARF sections of an ELF file, or undefined when it carries no .debug_info (bookworm's xen-syms-4.17 has
// none; trixie's 4.20 has them).
import type { ElfFile } from '../elf/index.ts';
import type { DwarfSections } from './units.ts';

export function dwarfSections(elf: ElfFile): DwarfSections | undefined {
  const data = (n: string): Uint8Array | undefined => {
    const sh = elf.section(n);
    return sh ? elf.sectionData(sh) : undefined;
  };
  const info = data('.debug_info');
  const abbrev = data('.debug_abbrev');
  if (!info || !abbrev) return undefined;
  const s: DwarfSections = { info, abbrev };
  const optional = { str: '.debug_str', lineStr: '.debug_line_str', strOffsets: '.debug_str_offsets', aranges: '.debug_aranges' } as const;
  for (const [key, name] of Object.entries(optional) as [keyof typeof optional, string][]) {
    const d = data(name);
    if (d) s[key] = d;
  }
  return s;
}

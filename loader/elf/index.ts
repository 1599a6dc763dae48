// Public API of the ELF64 reader (see file.ts for ElfFile's contract).
export { ElfError } from './errors.ts';
export { parseHeader, type ElfHeader } from './header.ts';
export { readSectionHeaders, type SectionHeader, type ProgramHeader } from './sections.ts';
export type { ElfSymbol } from './symbols.ts';
export type { ElfNote } from './notes.ts';
export type { RelaEntry } from './relocations.ts';
export { ElfFile } from './file.ts';
export { ByteReader } from './reader.ts';
export * from './constants.ts';

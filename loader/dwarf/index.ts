export { StructLayouts, type StructLayout, type StructMember } from './structs.ts';
export { DwarfError } from './cursor.ts';

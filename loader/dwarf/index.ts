export { StructLayouts, type StructLayout, type StructMember } from './structs.ts';
export { FunctionPrototypes, type FunctionPrototype, type CType } from './functions.ts';
export { DwarfError } from './cursor.ts';

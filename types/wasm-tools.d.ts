// Declarations for the parts of capstone-wasm and keystone-wasm we use: their package.json "exports" has no
// "types" condition, so TypeScript's NodeNext resolution does not find the shipped typings.
declare module 'capstone-wasm' {
  export interface Insn {
    id: number;
    address: number | bigint;
    size: number;
    bytes: Uint8Array;
    mnemonic: string;
    opStr: string;
  }
  export class Capstone {
    constructor(arch: number, mode: number);
    setOption(opt: number, value: number): number;
    disasm(data: number[] | Uint8Array, options?: { address?: number | bigint; count?: number }): Insn[];
    close(): void;
  }
  export const Const: {
    CS_ARCH_X86: number;
    CS_MODE_64: number;
    CS_OPT_SYNTAX: number;
    CS_OPT_SYNTAX_ATT: number;
  };
  export function loadCapstone(args?: Record<string, unknown>): Promise<void>;
}

declare module 'keystone-wasm' {
  export class Keystone {
    constructor(arch: number, mode: number);
    setOption(opt: number, value: number): number;
    asm(data: string, options?: { address?: number | bigint }): Uint8Array;
    close(): void;
  }
  export const Const: {
    KS_ARCH_X86: number;
    KS_MODE_64: number;
    KS_OPT_SYNTAX: number;
    KS_OPT_SYNTAX_ATT: number;
  };
  export function loadKeystone(args?: Record<string, unknown>): Promise<void>;
}

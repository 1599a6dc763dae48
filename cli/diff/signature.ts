// What a function takes, so that inputs can be made for it: integers of a width (sign-extended into the
// register as a C caller would) and guest buffers of a size (a pointer in the register); and what it returns,
// so that old and new are compared on what the caller sees. A signature comes from an inputs file, else the
// image's DWARF (prototype.ts), else the table below: Xen's prototypes for functions a distribution's
// xen-syms has no debug info for.

export type IntType = { kind: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean };
export type ArgType = IntType | { kind: 'buffer'; size: number };
/** `string`: a C string pointer, compared by its text; `void`: nothing to compare (rax is left over). */
export type ReturnType = IntType | { kind: 'string' } | { kind: 'void' };

export interface Signature {
  args: readonly ArgType[];
  returns: ReturnType;
}

/** What hypercall handlers return (`long`), and the default where nothing says otherwise. */
export const INT64: IntType = { kind: 'int', bits: 64, signed: true };

/** A buffer argument's largest size (the guest area holds one per argument, with guard pages). */
export const MAX_BUFFER = 0x10000;

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

function parseInt(text: string): IntType | undefined {
  const i = /^(u?)int(8|16|32|64)$/.exec(text);
  return i ? { kind: 'int', bits: Number(i[2]) as IntType['bits'], signed: i[1] === '' } : undefined;
}

/** `int32`, `uint64`, … or `buffer:SIZE`. */
export function parseArgType(text: string): ArgType {
  const i = parseInt(text);
  if (i) return i;
  const b = /^buffer:(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (b) {
    const size = Number(b[1]);
    if (size < 1 || size > MAX_BUFFER) throw new SignatureError(`buffer size ${b[1]} is not within 1..${MAX_BUFFER}`);
    return { kind: 'buffer', size };
  }
  throw new SignatureError(`unknown argument type "${text}" (int8..int64, uint8..uint64, buffer:SIZE)`);
}

/** `int32`, `uint64`, …, `string` or `void`. */
export function parseReturnType(text: string): ReturnType {
  if (text === 'string' || text === 'void') return { kind: text };
  const i = parseInt(text);
  if (i) return i;
  throw new SignatureError(`unknown return type "${text}" (int8..int64, uint8..uint64, string, void)`);
}

export function formatArgType(t: ArgType | ReturnType): string {
  if (t.kind === 'int') return `${t.signed ? '' : 'u'}int${t.bits}`;
  return t.kind === 'buffer' ? `buffer:${t.size}` : t.kind;
}

const sig = (returns: string, ...args: string[]): Signature => ({ args: args.map(parseArgType), returns: parseReturnType(returns) });

/**
 * Hypercall handlers that run under xlp's Xen context (docs/xen-context.md), from Xen 4.17's
 * include/hypercall-defs.c; buffers are sized for the largest structure the handler copies (do_xen_version:
 * xen_commandline_t, 1024 bytes). And the functions of include/xen/version.h, which take no arguments (the
 * ones xen_hello_world and its kin replace).
 */
export const KNOWN_SIGNATURES: ReadonlyMap<string, Signature> = new Map([
  ['do_xen_version', sig('int64', 'int32', 'buffer:1024')],
  ['do_console_io', sig('int64', 'int32', 'uint32', 'buffer:1024')],
  ['do_vm_assist', sig('int64', 'uint32', 'uint32')],
  ['do_get_debugreg', sig('int64', 'int32')],
  ['do_set_timer_op', sig('int64', 'uint64')],
  ['do_xsm_op', sig('int64', 'buffer:256')],
  ...['xen_compile_date', 'xen_compile_time', 'xen_compile_by', 'xen_compile_domain', 'xen_compile_host', 'xen_compiler',
    'xen_extra_version', 'xen_changeset', 'xen_banner', 'xen_deny', 'xen_build_info'].map((f): [string, Signature] => [f, sig('string')]),
  ['xen_major_version', sig('uint32')],
  ['xen_minor_version', sig('uint32')],
]);

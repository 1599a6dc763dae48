// What a function takes, so that inputs can be made for it: integers of a width (sign-extended into the
// register as a C caller would) and guest buffers of a size (a pointer in the register). Xen's hypercall
// handlers have no debug info in a distribution's xen-syms; the prototypes below follow Xen 4.17's
// include/hypercall-defs.c, and an inputs file can give any other function's.

export type ArgType =
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: 'buffer'; size: number };

export type Signature = readonly ArgType[];

/** A buffer argument's largest size (the guest area holds one per argument, with guard pages). */
export const MAX_BUFFER = 0x10000;

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** `int32`, `uint64`, … or `buffer:SIZE`. */
export function parseArgType(text: string): ArgType {
  const i = /^(u?)int(8|16|32|64)$/.exec(text);
  if (i) return { kind: 'int', bits: Number(i[2]) as 8 | 16 | 32 | 64, signed: i[1] === '' };
  const b = /^buffer:(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (b) {
    const size = Number(b[1]);
    if (size < 1 || size > MAX_BUFFER) throw new SignatureError(`buffer size ${b[1]} is not within 1..${MAX_BUFFER}`);
    return { kind: 'buffer', size };
  }
  throw new SignatureError(`unknown argument type "${text}" (int8..int64, uint8..uint64, buffer:SIZE)`);
}

export function formatArgType(t: ArgType): string {
  return t.kind === 'int' ? `${t.signed ? '' : 'u'}int${t.bits}` : `buffer:${t.size}`;
}

const sig = (...types: string[]): Signature => types.map(parseArgType);

/**
 * Hypercall handlers that run under xlp's Xen context (docs/xen-context.md). Buffers are sized for the
 * largest structure the handler copies (do_xen_version: xen_commandline_t, 1024 bytes).
 */
export const KNOWN_SIGNATURES: ReadonlyMap<string, Signature> = new Map([
  ['do_xen_version', sig('int32', 'buffer:1024')],
  ['do_console_io', sig('int32', 'uint32', 'buffer:1024')],
  ['do_vm_assist', sig('uint32', 'uint32')],
  ['do_get_debugreg', sig('int32')],
  ['do_set_timer_op', sig('uint64')],
  ['do_xsm_op', sig('buffer:256')],
]);

// Where a signature comes from, on prototypes written by hand (the real images' cases are in no-arguments.test.ts):
// the inputs file first, DWARF when every argument is an integer, then the table, and a refusal that says why.
import { describe, expect, it } from 'vitest';
import { NoSignatureError, findSignature } from '../../cli/diff/prototype.ts';
import { KNOWN_SIGNATURES, type Signature } from '../../cli/diff/signature.ts';
import type { CType, FunctionPrototype } from '../../loader/dwarf/index.ts';
import { thrown } from '../helpers/thrown.ts';

const INT: CType = { kind: 'int', bits: 32, signed: true, char: false, text: 'int' };
const ULONG: CType = { kind: 'int', bits: 64, signed: false, char: false, text: 'unsigned long' };
const CHAR: CType = { kind: 'int', bits: 8, signed: true, char: true, text: 'char' };
const VOID: CType = { kind: 'void', text: 'void' };
const ptr = (to: CType): CType => ({ kind: 'pointer', to, text: `${to.text} *` });

const proto = (name: string, returns: CType, params: CType[], variadic = false): FunctionPrototype =>
  ({ name, returns, params: params.map((type) => ({ type })), variadic });
const sources = (p: FunctionPrototype | undefined, inputs?: Map<string, Signature>) =>
  ({ image: 'img', inputs, dwarf: () => (p === undefined ? undefined : { at: () => p }) });

describe('findSignature', () => {
  it('takes integer arguments and the return type from DWARF: a char pointer is a string, void is void', () => {
    expect(findSignature('f', 0n, sources(proto('f', ptr(CHAR), [INT, ULONG])))).toEqual({
      source: 'dwarf', signature: { args: [{ kind: 'int', bits: 32, signed: true }, { kind: 'int', bits: 64, signed: false }], returns: { kind: 'string' } },
    });
    expect(findSignature('g', 0n, sources(proto('g', VOID, []))).signature).toEqual({ args: [], returns: { kind: 'void' } });
    expect(findSignature('h', 0n, sources(proto('h', ptr(VOID), []))).signature.returns).toEqual({ kind: 'int', bits: 64, signed: false });
  });

  it('puts the inputs file first, and falls back to the table when DWARF has a pointer argument of the same count', () => {
    const mine: Signature = { args: [], returns: { kind: 'void' } };
    expect(findSignature('f', 0n, sources(proto('f', INT, [INT]), new Map([['f', mine]])))).toEqual({ source: 'inputs', signature: mine });
    const xv = proto('do_xen_version', INT, [INT, ptr(VOID)]);
    expect(findSignature('do_xen_version', 0n, sources(xv))).toEqual({ source: 'table', signature: KNOWN_SIGNATURES.get('do_xen_version') });
  });

  it('refuses, saying why: a table entry DWARF contradicts, a variadic function, a function nobody describes', () => {
    const three = proto('do_xen_version', INT, [INT, ptr(VOID), INT]);
    expect(thrown(() => findSignature('do_xen_version', 0n, sources(three)), NoSignatureError).message)
      .toMatch(/^no signature for do_xen_version: xlp's table has Xen 4\.17's with 2 arguments, img's DWARF says int do_xen_version\(int, void \*, int\): give/);
    expect(thrown(() => findSignature('p', 0n, sources(proto('p', VOID, [ptr(CHAR)], true))), NoSignatureError).message)
      .toMatch(/^no signature for p: img's DWARF says void p\(char \*, \.\.\.\), and it takes a variable argument list: give/);
    expect(thrown(() => findSignature('q', 0n, sources(undefined)), NoSignatureError).message)
      .toMatch(/^no signature for q: img has no DWARF \(debug info\) to read it from, and xlp's table does not list it: give/);
  });
});

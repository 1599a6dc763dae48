// Where a function's signature comes from: the user's inputs file; else the image's DWARF when every argument
// is an integer (a pointer's buffer size, or a structure passed by value, cannot be read from a type); else
// xlp's table of Xen's prototypes; else an error that says what is known and what to give.
import type { CType, FunctionPrototype, FunctionPrototypes } from '../../loader/dwarf/index.ts';
import { KNOWN_SIGNATURES, type ArgType, type IntType, type ReturnType, type Signature } from './signature.ts';

export type SignatureSource = 'inputs' | 'dwarf' | 'table';

export interface FoundSignature {
  signature: Signature;
  source: SignatureSource;
}

export class NoSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoSignatureError';
  }
}

const BITS = new Set([8, 16, 32, 64]);

function intType(t: CType): IntType | undefined {
  return t.kind === 'int' && BITS.has(t.bits) ? { kind: 'int', bits: t.bits as IntType['bits'], signed: t.signed } : undefined;
}

/** A `char *` (of any qualification) is a C string; any other pointer is an address, compared as such. */
function returnType(t: CType): ReturnType | undefined {
  if (t.kind === 'void') return { kind: 'void' };
  if (t.kind === 'pointer') return t.to.kind === 'int' && t.to.char ? { kind: 'string' } : { kind: 'int', bits: 64, signed: false };
  return intType(t); // a structure returned by value may take a hidden pointer argument: not guessed
}

/** `char *dest`, `int cmd`, or the type alone. */
const declaration = (type: string, name: string | undefined): string => (name === undefined ? type : type.endsWith('*') ? `${type}${name}` : `${type} ${name}`);

/** The signature a DWARF prototype gives, or why it gives none. */
function fromPrototype(p: FunctionPrototype): Signature | string {
  if (p.variadic) return 'it takes a variable argument list';
  const args: ArgType[] = [];
  for (const [i, param] of p.params.entries()) {
    const t = intType(param.type);
    if (!t) return `argument ${i} (${declaration(param.type.text, param.name)}) is not an integer: the size of what it passes cannot be known from its type`;
    args.push(t);
  }
  const returns = returnType(p.returns);
  return returns ? { args, returns } : `its return type ${p.returns.text} is not an integer or a pointer`;
}

export const formatPrototype = (p: FunctionPrototype): string =>
  `${p.returns.text} ${p.name}(${[...p.params.map((x) => x.type.text), ...(p.variadic ? ['...'] : [])].join(', ') || 'void'})`;

export interface SignatureSources {
  image: string;
  inputs: ReadonlyMap<string, Signature> | undefined;
  /** The image's DWARF, or undefined when it has none (called only when the inputs file has no signature). */
  dwarf: () => Pick<FunctionPrototypes, 'at'> | undefined;
}

export function findSignature(fn: string, address: bigint, src: SignatureSources): FoundSignature {
  const listed = src.inputs?.get(fn);
  if (listed) return { signature: listed, source: 'inputs' };
  const dwarf = src.dwarf();
  const proto = dwarf?.at(address);
  const fromDwarf = proto && fromPrototype(proto);
  if (fromDwarf && typeof fromDwarf !== 'string') return { signature: fromDwarf, source: 'dwarf' };
  const known = KNOWN_SIGNATURES.get(fn);
  if (known && (!proto || proto.params.length === known.args.length)) return { signature: known, source: 'table' };

  const give = `give its \`args\` (and \`returns\`) in an --inputs file (\`args: []\` for a function without arguments; docs/diff.md)`;
  if (proto && known) {
    throw new NoSignatureError(`no signature for ${fn}: xlp's table has Xen 4.17's with ${known.args.length} arguments, ` +
      `${src.image}'s DWARF says ${formatPrototype(proto)}: ${give}`);
  }
  if (proto) throw new NoSignatureError(`no signature for ${fn}: ${src.image}'s DWARF says ${formatPrototype(proto)}, and ${fromDwarf}: ${give}`);
  const why = dwarf ? `${src.image}'s DWARF does not describe it` : `${src.image} has no DWARF (debug info) to read it from`;
  throw new NoSignatureError(`no signature for ${fn}: ${why}, and xlp's table does not list it: ${give}`);
}

// An inputs file for `xlp diff --inputs FILE` (YAML):
//
//   generate: true                  # also run the generated inputs (default true)
//   functions:
//     do_xen_version:
//       args: [int32, buffer:1024]  # the signature, when xlp does not know it ([] for no arguments)
//       returns: int64              # int8..uint64, string (a C string, compared by text) or void; default int64
//       inputs:                     # listed inputs, one list of arguments each
//         - [11, zero:1024]
//         - [1, unmapped]
import { z } from 'zod';
import { type Input, InputError, parseArg } from './inputs.ts';
import { INT64, type Signature, SignatureError, parseArgType, parseReturnType } from './signature.ts';
import { readYamlFile } from './yaml-file.ts';

const Arg = z.union([z.string(), z.number()]);
const FunctionInputs = z.object({
  args: z.array(z.string()).optional(),
  returns: z.string().optional(),
  inputs: z.array(z.array(Arg)).optional(),
}).strict();
const File = z.object({
  generate: z.boolean().optional(),
  functions: z.record(z.string(), FunctionInputs),
}).strict();

export interface InputsFile {
  generate: boolean;
  signatures: Map<string, Signature>;
  /** Listed inputs, parsed once the function's signature is known. */
  listed: Map<string, (sig: Signature) => Input[]>;
}

export function readInputsFile(path: string): InputsFile {
  const data = readYamlFile(path, File);
  const out: InputsFile = { generate: data.generate ?? true, signatures: new Map(), listed: new Map() };
  for (const [fn, spec] of Object.entries(data.functions)) {
    if (spec.returns !== undefined && !spec.args) throw new SignatureError(`${path}: functions.${fn}: \`returns\` without \`args\``);
    if (spec.args) out.signatures.set(fn, { args: spec.args.map(parseArgType), returns: spec.returns === undefined ? INT64 : parseReturnType(spec.returns) });
    const rows = spec.inputs ?? [];
    out.listed.set(fn, (sig) => rows.map((row, k) => {
      const where = `${path}: functions.${fn}.inputs[${k}]`;
      if (row.length !== sig.args.length) throw new InputError(`${where}: ${row.length} arguments, ${fn} takes ${sig.args.length}`);
      return { function: fn, args: row.map((a, i) => parseArg(a, sig.args[i]!, `${where}[${i}]`)) };
    }));
  }
  return out;
}

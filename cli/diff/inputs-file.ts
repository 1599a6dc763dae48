// An inputs file for `xlp diff --inputs FILE` (YAML):
//
//   generate: true                  # also run the generated inputs (default true)
//   functions:
//     do_xen_version:
//       args: [int32, buffer:1024]  # the signature, when xlp does not know it
//       inputs:                     # listed inputs, one list of arguments each
//         - [11, zero:1024]
//         - [1, unmapped]
import { z } from 'zod';
import { type Input, InputError, parseArg } from './inputs.ts';
import { type Signature, parseArgType } from './signature.ts';
import { readYamlFile } from './yaml-file.ts';

const Arg = z.union([z.string(), z.number()]);
const FunctionInputs = z.object({
  args: z.array(z.string()).optional(),
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
    if (spec.args) out.signatures.set(fn, spec.args.map(parseArgType));
    const rows = spec.inputs ?? [];
    out.listed.set(fn, (sig) => rows.map((row, k) => {
      const where = `${path}: functions.${fn}.inputs[${k}]`;
      if (row.length !== sig.length) throw new InputError(`${where}: ${row.length} arguments, ${fn} takes ${sig.length}`);
      return { function: fn, args: row.map((a, i) => parseArg(a, sig[i]!, `${where}[${i}]`)) };
    }));
  }
  return out;
}

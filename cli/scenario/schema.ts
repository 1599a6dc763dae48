// Scenario files (YAML): an image, where the payloads are, and steps, each an operation with what it must give.
// One zod schema checks a file before anything runs (unknown keys at every level, errno names, regexes,
// exact 64-bit integers) and gives the types; problems are reported as file:line:column (cli/files).
//
//   image: debian                # builtin | debian | path to a xen-syms
//   payloads: ../build/payloads/debian   # optional; relative to the file; default build/payloads/<image>
//   steps:
//     - load: xen_hello_world    # a payload name (<payloads>/NAME.livepatch) or a file path
//       state: APPLIED
//     - call: xen_extra_version
//       string: Hello World
//     - revert: xen_hello_world
//       errno: EBUSY             # the step must fail with this errno (name or number)
import { z } from 'zod';
import { Bool, ErrnoField, GuestValue, Int32, Pattern, Word, integer } from '../files/fields.ts';
import { type KnownKeys, parseYamlFile } from '../files/yaml-file.ts';
import { ArgumentError, type CallArg } from '../../emulator/cpu/arguments.ts';
import { parseCallArg } from '../call-args.ts';
import { DOMAIN_KINDS, type DomainKind } from '../../emulator/xen/context/domains.ts';

export const OPS = ['upload', 'apply', 'revert', 'replace', 'unload', 'load', 'call', 'idle', 'list'] as const;
export type OpName = (typeof OPS)[number];

const State = z.enum(['CHECKED', 'APPLIED', 'absent']);
/** A payload's state as a step sees it (`absent`: not loaded). */
export type StepState = z.output<typeof State>;

const ListObject = z.strictObject({ name: Word, state: State.optional(), rc: Int32.optional() });
export type ListExpectation = z.output<typeof ListObject>;
const ListEntry = z.union([Word.transform((name): ListExpectation => ({ name })), ListObject]);

const Fault = z.strictObject({
  vector: integer(-1n, 255n, 'a vector (0-255, -1 for a timeout)').transform(Number).optional(),
  reason: Pattern.optional(),
  where: Pattern.optional(),
});
export type FaultExpectation = z.output<typeof Fault>;

/** A call argument: an integer exact to 64 bits (as `returns:` takes it), or a buffer passed by address
 *  (`zero:N`, `buf:HEX`, `str:TEXT`, cli/call-args.ts). */
const CallArgument = z.union([z.bigint(), z.number(), z.string()]).transform((v, ctx): CallArg => {
  const fail = (message: string): never => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (typeof v !== 'string' || !/^(zero|buf|str):/.test(v)) {
    const r = GuestValue.safeParse(v);
    return r.success ? r.data : fail(r.error.issues[0]?.message ?? `not an argument: ${String(v)}`);
  }
  try {
    return parseCallArg(v);
  } catch (e) {
    if (!(e instanceof ArgumentError)) throw e;
    return fail(e.message);
  }
});

/** What an argument's buffer must hold after the call: its first bytes (hex) and/or the C string in it. */
const MemoryCheck = z.strictObject({
  arg: integer(0n, 5n, 'an argument index (0-5)').transform(Number),
  bytes: z.string().regex(/^([0-9a-fA-F]{2})+$/, 'hex bytes, e.g. 2e37').optional(),
  string: z.string().optional(),
});
export type MemoryExpectation = z.output<typeof MemoryCheck>;

const StepFields = z.strictObject({
  upload: Word.optional(), apply: Word.optional(), revert: Word.optional(), replace: Word.optional(),
  unload: Word.optional(), load: Word.optional(), call: Word.optional(), idle: z.null().optional(),
  list: z.array(ListEntry).optional(),
  file: z.string().min(1).optional(),
  args: z.array(CallArgument).optional(),
  memory: z.array(MemoryCheck).optional(),
  nodeps: Bool.optional(),
  domain: z.enum(DOMAIN_KINDS).optional(),
  wait: Bool.optional(),
  errno: ErrnoField.optional(),
  state: State.optional(),
  rc: Int32.optional(),
  returns: GuestValue.optional(),
  string: z.union([z.string(), z.bigint().transform(String)]).optional(),
  console: z.union([Pattern, z.array(Pattern)]).optional(),
  fault: Fault.optional(),
});
type Fields = z.output<typeof StepFields>;

/** Which options make sense with which operations (anything else is a mistake in the file). */
const ONLY: Partial<Record<keyof Fields, readonly OpName[]>> = {
  file: ['upload', 'load'], args: ['call'], domain: ['call'], nodeps: ['apply', 'load'], wait: ['apply', 'revert', 'replace'],
  returns: ['call'], string: ['call'], memory: ['call'],
};

const StepSchema = z.preprocess((v) => (v === 'idle' ? { idle: null } : v), StepFields).superRefine((s, ctx) => {
  const ops = OPS.filter((op) => op in s);
  if (ops.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `a step needs exactly one of ${OPS.join(', ')} (found ${ops.join(', ') || 'none'})` });
    return;
  }
  for (const [key, ops2] of Object.entries(ONLY)) {
    if (key in s && !ops2.includes(ops[0]!)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}:\` goes with ${ops2.join(' or ')}, not ${ops[0]}` });
    }
  }
});

const NOT_A_SCENARIO = 'expected a mapping with a `steps:` list';
const ScenarioFile = z.strictObject({
  name: z.string().optional(),
  image: z.string().min(1).default('builtin'),
  payloads: z.string().min(1).optional(),
  steps: z.array(StepSchema, { error: NOT_A_SCENARIO }).min(1),
}, { error: NOT_A_SCENARIO });

export type StepExpect = Pick<Fields, 'errno' | 'state' | 'rc' | 'returns' | 'string' | 'fault' | 'memory'> & {
  console?: string[];
  list?: ListExpectation[];
};

export interface Step {
  op: OpName;
  /** Payload name (upload/apply/…/load) or symbol (call). */
  target?: string;
  file?: string;
  args?: CallArg[];
  nodeps?: boolean;
  /** call: run with this domain's vCPU current (the Xen context of emulator/xen/context). */
  domain?: DomainKind;
  /** apply/revert/replace: reach the quiescent point before checking (default true). */
  wait?: boolean;
  expect: StepExpect;
  /** 1-based index and the line in the file, for reports. */
  index: number;
  line?: number;
}

export interface Scenario {
  name: string;
  image: string;
  payloads?: string;
  steps: Step[];
  /** File the scenario came from (for relative paths). */
  file?: string;
}

const TOP_KEYS = Object.keys(ScenarioFile.shape);
const STEP_KEYS = Object.keys(StepFields.shape);

const known: KnownKeys = (path) => {
  if (path.length === 0) return TOP_KEYS;
  if (path.length === 2) return STEP_KEYS;
  if (path[2] === 'fault') return Object.keys(Fault.shape);
  if (path[2] === 'memory') return Object.keys(MemoryCheck.shape);
  return ['name', 'state', 'rc'];
};

function toStep(f: Fields, index: number, line: number): Step {
  const op = OPS.find((o) => o in f)!;
  const step: Step = { op, expect: {}, index, line };
  if (op === 'list') step.expect.list = f.list;
  else if (op !== 'idle') step.target = f[op] as string;
  if (f.file !== undefined) step.file = f.file;
  if (f.args !== undefined) step.args = f.args;
  if (f.nodeps !== undefined) step.nodeps = f.nodeps;
  if (f.domain !== undefined) step.domain = f.domain;
  if (f.wait !== undefined) step.wait = f.wait;
  for (const k of ['errno', 'state', 'rc', 'returns', 'string', 'fault', 'memory'] as const) {
    if (f[k] !== undefined) (step.expect as Record<string, unknown>)[k] = f[k];
  }
  if (f.console !== undefined) step.expect.console = Array.isArray(f.console) ? f.console : [f.console];
  return step;
}

/** Parse and check a scenario; throws a FileError with every problem (file:line:column). */
export function parseScenario(text: string, file = 'scenario'): Scenario {
  const { value, source } = parseYamlFile(text, file, ScenarioFile, known);
  const s: Scenario = {
    name: value.name ?? file.split('/').pop()!,
    image: value.image,
    steps: value.steps.map((f, i) => toStep(f, i + 1, source.where(['steps', i]).line)),
  };
  if (value.payloads !== undefined) s.payloads = value.payloads;
  if (file !== 'scenario') s.file = file;
  return s;
}

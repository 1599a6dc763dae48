// Scenario files (YAML): an image, where the payloads are, and steps, each an operation with what it must give.
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
import { parse } from 'yaml';

export const OPS = ['upload', 'apply', 'revert', 'replace', 'unload', 'load', 'call', 'idle', 'list'] as const;
export type OpName = (typeof OPS)[number];

export interface ListExpectation {
  name: string;
  state?: string;
  rc?: number;
}

export interface FaultExpectation {
  vector?: number;
  reason?: string;
  where?: string;
}

export interface Step {
  op: OpName;
  /** Payload name (upload/apply/…/load) or symbol (call). */
  target?: string;
  file?: string;
  args?: bigint[];
  nodeps?: boolean;
  /** apply/revert/replace: reach the quiescent point before checking (default true). */
  wait?: boolean;
  expect: {
    errno?: string;
    state?: string;
    rc?: number;
    returns?: bigint;
    string?: string;
    console?: string[];
    fault?: FaultExpectation;
    list?: ListExpectation[];
  };
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

export class ScenarioError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'ScenarioError';
  }
}

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function int(v: unknown, where: string): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?(0x[0-9a-f]+|\d+)$/i.test(v)) return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v);
  throw new ScenarioError(where, `expected an integer, got ${JSON.stringify(v)}`);
}

function str(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new ScenarioError(where, `expected a string, got ${JSON.stringify(v)}`);
}

const STEP_KEYS = new Set(['file', 'args', 'nodeps', 'wait', 'errno', 'state', 'rc', 'returns', 'string', 'console', 'fault', 'list']);

function parseStep(raw: unknown, index: number, where: string): Step {
  if (typeof raw === 'string' && raw === 'idle') return { op: 'idle', expect: {}, index };
  if (!isRecord(raw)) throw new ScenarioError(where, 'a step is a mapping such as `apply: NAME`');
  const ops = Object.keys(raw).filter((k) => (OPS as readonly string[]).includes(k));
  if (ops.length !== 1) throw new ScenarioError(where, `a step needs exactly one of ${OPS.join(', ')} (found ${ops.join(', ') || 'none'})`);
  const op = ops[0] as OpName;
  for (const k of Object.keys(raw)) {
    if (k !== op && !STEP_KEYS.has(k)) throw new ScenarioError(where, `unknown key \`${k}\``);
  }
  const step: Step = { op, expect: {}, index };
  const v = raw[op];
  if (op === 'list') {
    if (!Array.isArray(v)) throw new ScenarioError(where, '`list:` takes the expected entries (`[]` for none)');
    step.expect.list = v.map((e, i) => {
      if (typeof e === 'string') return { name: e };
      if (!isRecord(e) || typeof e.name !== 'string') throw new ScenarioError(`${where}.list[${i}]`, 'expected {name, state?, rc?}');
      const le: ListExpectation = { name: e.name };
      if (e.state !== undefined) le.state = str(e.state, where);
      if (e.rc !== undefined) le.rc = Number(int(e.rc, where));
      return le;
    });
  } else if (op !== 'idle') {
    step.target = str(v, `${where}.${op}`);
  }
  if (raw.file !== undefined) step.file = str(raw.file, `${where}.file`);
  if (raw.args !== undefined) {
    if (!Array.isArray(raw.args)) throw new ScenarioError(`${where}.args`, 'expected a list of integers');
    step.args = raw.args.map((a, i) => int(a, `${where}.args[${i}]`));
  }
  if (raw.nodeps !== undefined) step.nodeps = raw.nodeps === true;
  if (raw.wait !== undefined) step.wait = raw.wait !== false;
  if (raw.errno !== undefined) step.expect.errno = str(raw.errno, `${where}.errno`);
  if (raw.state !== undefined) step.expect.state = str(raw.state, `${where}.state`);
  if (raw.rc !== undefined) step.expect.rc = Number(int(raw.rc, `${where}.rc`));
  if (raw.returns !== undefined) step.expect.returns = int(raw.returns, `${where}.returns`);
  if (raw.string !== undefined) step.expect.string = str(raw.string, `${where}.string`);
  if (raw.console !== undefined) {
    const c = Array.isArray(raw.console) ? raw.console : [raw.console];
    step.expect.console = c.map((l, i) => str(l, `${where}.console[${i}]`));
  }
  if (raw.fault !== undefined) {
    if (!isRecord(raw.fault)) throw new ScenarioError(`${where}.fault`, 'expected {vector?, reason?, where?}');
    const f: FaultExpectation = {};
    if (raw.fault.vector !== undefined) f.vector = Number(int(raw.fault.vector, `${where}.fault.vector`));
    if (raw.fault.reason !== undefined) f.reason = str(raw.fault.reason, `${where}.fault.reason`);
    if (raw.fault.where !== undefined) f.where = str(raw.fault.where, `${where}.fault.where`);
    step.expect.fault = f;
  }
  return step;
}

export function parseScenario(text: string, file?: string): Scenario {
  const label = file ?? 'scenario';
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ScenarioError(label, `not valid YAML: ${(e as Error).message}`);
  }
  if (!isRecord(doc)) throw new ScenarioError(label, 'expected a mapping with `steps:`');
  if (!Array.isArray(doc.steps)) throw new ScenarioError(label, '`steps:` must be a list');
  const s: Scenario = {
    name: typeof doc.name === 'string' ? doc.name : (file?.split('/').pop() ?? 'scenario'),
    image: doc.image === undefined ? 'builtin' : str(doc.image, `${label}.image`),
    steps: doc.steps.map((raw, i) => parseStep(raw, i + 1, `${label}: step ${i + 1}`)),
  };
  if (doc.payloads !== undefined) s.payloads = str(doc.payloads, `${label}.payloads`);
  if (file) s.file = file;
  return s;
}

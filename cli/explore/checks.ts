// Invariant 4: the user's own checks (--check FILE), e.g.
//
//   checks:
//     - when: { applied: [xlp_order_jmp] }   # these payloads are applied (any order); no `when`: always
//       call: plain_answer                    # a symbol; optional args: [..]
//       returns: 43                           # or string: "..."
//     - when: { top: xen_bye_world }          # the top of the applied stack
//       call: xen_extra_version
//       string: Bye World!
import { parse } from 'yaml';

export interface UserCheck {
  /** 1-based position in the file. */
  index: number;
  when: { applied: string[]; top?: string };
  call: string;
  args: bigint[];
  returns?: bigint;
  string?: string;
}

export class CheckFileError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'CheckFileError';
  }
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function int(v: unknown, where: string): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?(0x[0-9a-f]+|\d+)$/i.test(v)) return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v);
  throw new CheckFileError(where, `expected an integer, got ${JSON.stringify(v)}`);
}

const KEYS = new Set(['when', 'call', 'args', 'returns', 'string']);

function parseCheck(raw: unknown, index: number, where: string): UserCheck {
  if (!isRecord(raw)) throw new CheckFileError(where, 'a check is a mapping with `call:`');
  for (const k of Object.keys(raw)) if (!KEYS.has(k)) throw new CheckFileError(where, `unknown key \`${k}\``);
  if (typeof raw.call !== 'string' || !raw.call) throw new CheckFileError(where, '`call:` must name a symbol');
  const c: UserCheck = { index, when: { applied: [] }, call: raw.call, args: [] };
  if (raw.when !== undefined) {
    if (!isRecord(raw.when)) throw new CheckFileError(`${where}.when`, 'expected {applied?: [names], top?: name}');
    for (const k of Object.keys(raw.when)) {
      if (k !== 'applied' && k !== 'top') throw new CheckFileError(`${where}.when`, `unknown key \`${k}\``);
    }
    const applied = raw.when.applied ?? [];
    if (!Array.isArray(applied) || !applied.every((a) => typeof a === 'string')) {
      throw new CheckFileError(`${where}.when.applied`, 'expected a list of payload names');
    }
    c.when.applied = applied;
    if (raw.when.top !== undefined) {
      if (typeof raw.when.top !== 'string') throw new CheckFileError(`${where}.when.top`, 'expected a payload name');
      c.when.top = raw.when.top;
    }
  }
  if (raw.args !== undefined) {
    if (!Array.isArray(raw.args)) throw new CheckFileError(`${where}.args`, 'expected a list of integers');
    c.args = raw.args.map((a, i) => int(a, `${where}.args[${i}]`));
  }
  if (raw.returns !== undefined) c.returns = int(raw.returns, `${where}.returns`);
  if (raw.string !== undefined) {
    if (typeof raw.string !== 'string' && typeof raw.string !== 'number') throw new CheckFileError(`${where}.string`, 'expected a string');
    c.string = String(raw.string);
  }
  if (c.returns === undefined && c.string === undefined) throw new CheckFileError(where, 'give `returns:` or `string:`');
  return c;
}

export function parseChecks(text: string, file = 'checks'): UserCheck[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new CheckFileError(file, `not valid YAML: ${(e as Error).message}`);
  }
  if (!isRecord(doc) || !Array.isArray(doc.checks)) throw new CheckFileError(file, 'expected a mapping with a `checks:` list');
  return doc.checks.map((raw, i) => parseCheck(raw, i + 1, `${file}: check ${i + 1}`));
}

/** Whether a check is due with this applied stack (oldest first). */
export function checkApplies(c: UserCheck, applied: readonly string[]): boolean {
  if (!c.when.applied.every((n) => applied.includes(n))) return false;
  return c.when.top === undefined || applied.at(-1) === c.when.top;
}

export function describeCheck(c: UserCheck): string {
  const cond = [
    c.when.applied.length ? `${c.when.applied.join(', ')} applied` : '',
    c.when.top ? `${c.when.top} on top` : '',
  ].filter(Boolean).join(' and ');
  const args = c.args.length ? `(${c.args.join(', ')})` : '()';
  const want = c.returns !== undefined ? `returns ${c.returns}` : `gives ${JSON.stringify(c.string)}`;
  return `${c.call}${args} ${want}${cond ? ` when ${cond}` : ''}`;
}

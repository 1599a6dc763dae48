// Invariant 4: the user's own checks (--check FILE), e.g.
//
//   checks:
//     - when: { applied: [xlp_order_jmp] }   # these payloads are applied (any order); no `when`: always
//       call: plain_answer                    # a symbol; optional args: [..]
//       returns: 43                           # or string: "..."
//     - when: { top: xen_bye_world }          # the top of the applied stack
//       call: xen_extra_version
//       string: Bye World!
//
// Checked by the same zod schema machinery as scenario files (cli/files): positions, unknown keys, exact integers.
import { z } from 'zod';
import { GuestValue, Word } from '../files/fields.ts';
import { type KnownKeys, parseYamlFile } from '../files/yaml-file.ts';

const When = z.strictObject({ applied: z.array(Word).default([]), top: Word.optional() });

const CheckFields = z.strictObject({
  when: When.default({ applied: [] }),
  call: Word,
  args: z.array(GuestValue).default([]),
  returns: GuestValue.optional(),
  string: z.union([z.string(), z.bigint().transform(String)]).optional(),
});
const Check = CheckFields.refine((c) => c.returns !== undefined || c.string !== undefined, { message: 'give `returns:` or `string:`' });

const NOT_A_CHECK_FILE = 'expected a mapping with a `checks:` list';
const CheckFile = z.strictObject({ checks: z.array(Check, { error: NOT_A_CHECK_FILE }).min(1) }, { error: NOT_A_CHECK_FILE });

export type UserCheck = z.output<typeof Check> & {
  /** 1-based position in the file, and its line. */
  index: number;
  line?: number;
};

const known: KnownKeys = (path) =>
  path.length === 0 ? ['checks'] : path.length === 2 ? Object.keys(CheckFields.shape) : ['applied', 'top'];

/** Parse and check a --check file; throws a FileError with every problem (file:line:column). */
export function parseChecks(text: string, file = 'checks'): UserCheck[] {
  const { value, source } = parseYamlFile(text, file, CheckFile, known);
  return value.checks.map((c, i) => ({ ...c, index: i + 1, line: source.where(['checks', i]).line }));
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

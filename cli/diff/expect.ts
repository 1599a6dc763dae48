// Intended divergences (`xlp diff --expect FILE`, YAML): a divergence that matches a rule is expected, any
// other makes the run fail.
//
//   expect:
//     - function: do_xen_version
//       kind: different-return                  # optional
//       args: [{ min: 11, max: 0x7fffffff, bits: 32, signed: true }, any]
//       old: { returns: -38 }                   # optional, on the 64-bit return value
//       new: { returns: -22 }                   # or { string: TEXT } for a function returning a C string
import { z } from 'zod';
import { type DivergenceKind, KINDS } from './compare.ts';
import { toBigInt } from '../files/integers.ts';
import type { ArgValue } from './inputs.ts';
import type { Observation } from './run-side.ts';
import { readYamlFile } from './yaml-file.ts';

const Int = z.union([z.number().int(), z.string().regex(/^-?(0x[0-9a-fA-F]+|\d+)$/)]);
const ArgMatch = z.union([
  z.literal('any'),
  Int,
  z.object({ min: Int.optional(), max: Int.optional(), bits: z.union([z.literal(8), z.literal(16), z.literal(32), z.literal(64)]).optional(), signed: z.boolean().optional() }).strict(),
]);
const Side = z.object({ returns: Int.optional(), string: z.string().optional(), faulted: z.boolean().optional() }).strict();
const Rule = z.object({
  function: z.string(),
  kind: z.enum(KINDS).optional(),
  args: z.array(ArgMatch).optional(),
  old: Side.optional(),
  new: Side.optional(),
  note: z.string().optional(),
}).strict();
const File = z.object({ expect: z.array(Rule) }).strict();

type RuleT = z.infer<typeof Rule>;
const big = (v: string | number): bigint => toBigInt(v) as bigint; // the schema let only integers through

export interface DivergenceLike {
  function: string;
  kind: DivergenceKind;
  args: readonly ArgValue[];
  old: Observation;
  new: Observation;
}

function argMatches(m: z.infer<typeof ArgMatch>, a: ArgValue): boolean {
  if (m === 'any') return true;
  if (a.kind === 'buffer') return false;
  if (typeof m !== 'object') return BigInt.asUintN(64, big(m)) === a.value;
  const bits = m.bits ?? 64;
  const v = (m.signed ?? true) ? BigInt.asIntN(bits, a.value) : BigInt.asUintN(bits, a.value);
  return (m.min === undefined || v >= big(m.min)) && (m.max === undefined || v <= big(m.max));
}

function sideMatches(s: z.infer<typeof Side> | undefined, o: Observation): boolean {
  if (!s) return true;
  if (s.faulted !== undefined && s.faulted !== (o.fault !== undefined)) return false;
  if (s.string !== undefined && s.string !== o.text) return false;
  return s.returns === undefined || (o.returns !== undefined && o.returns === BigInt.asUintN(64, big(s.returns)));
}

export class Expectations {
  private constructor(private readonly rules: RuleT[], readonly path: string) {}

  static read(path: string): Expectations {
    return new Expectations(readYamlFile(path, File).expect, path);
  }

  /** Index of the first rule the divergence matches, or -1. */
  match(d: DivergenceLike): number {
    return this.rules.findIndex((r) =>
      r.function === d.function && (r.kind === undefined || r.kind === d.kind) &&
      (r.args === undefined || (r.args.length === d.args.length && r.args.every((m, i) => argMatches(m, d.args[i]!)))) &&
      sideMatches(r.old, d.old) && sideMatches(r.new, d.new));
  }

  get count(): number {
    return this.rules.length;
  }
}

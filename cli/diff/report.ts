// What `xlp diff` prints: a table of the diverging inputs grouped by kind, or JSON; and each divergence as a
// scenario that `xlp run` replays (old behaviour before the apply, new behaviour after).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Document } from 'yaml';
import { KINDS, KIND_TITLES } from './compare.ts';
import type { DiffResult, Divergence, FunctionRun } from './engine.ts';
import { type ArgValue, formatArg } from './inputs.ts';
import type { Observation } from './run-side.ts';

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
const signed = (v: bigint): string => BigInt.asIntN(64, v).toString();

/** Arguments as the JSON and scenarios give them: integers and pointers `0x…`, buffers `zero:N`/`buf:HEX`. */
function argText(a: ArgValue, register: bigint): string {
  return a.kind === 'buffer' ? formatArg(a) : hex(register);
}

const shortArg = (a: ArgValue): string => {
  const t = formatArg(a);
  return a.kind === 'int' ? `${t}` : t.length > 24 ? `${t.slice(0, 21)}…` : t;
};

/** What a side did, as the function's return type has it read: a number, a string's text, or just "returned". */
function outcome(o: Observation, returns: string): string {
  if (o.fault) return `fault ${o.fault.vector === -1 ? 'timeout' : `vector ${o.fault.vector}`} at ${o.fault.where}`;
  if (returns === 'void') return 'returned';
  if (o.text !== undefined) return o.text === null ? `${hex(o.returns!)} (no string)` : JSON.stringify(o.text);
  return `${hex(o.returns!)} (${signed(o.returns!)})`;
}

/** Each function's return type, as FunctionRun spells it. */
const returnsOf = (r: DiffResult): Map<string, string> => new Map(r.functions.map((f) => [f.function, f.returns]));

const SOURCE_TITLES: Record<FunctionRun['signatureFrom'], string> = {
  inputs: 'from the inputs file', dwarf: "from the image's DWARF", table: "from xlp's table of Xen's prototypes",
};

function writesNote(d: Divergence): string[] {
  const out: string[] = [];
  d.old.buffers.forEach((b, i) => {
    const n = d.new.buffers[i];
    if (b && n && !b.equals(n)) {
      let k = 0;
      while (b[k] === n[k]) k++;
      out.push(`argument ${i} buffer differs from byte ${k}`);
    }
  });
  const fmt = (o: Observation): string => o.data.map((w) => `${w.where}:${w.bytes.toString('hex')}`).join(' ') || 'nothing';
  if (fmt(d.old) !== fmt(d.new)) out.push(`hypervisor data: old wrote ${fmt(d.old)}; new wrote ${fmt(d.new)}`);
  if (d.old.console.join('\n') !== d.new.console.join('\n')) out.push(`console: old ${JSON.stringify(d.old.console)}, new ${JSON.stringify(d.new.console)}`);
  return out;
}

/** At most this many rows per kind of expected divergences (unexpected ones are all listed). */
const EXPECTED_ROWS = 5;

export function textReport(r: DiffResult, files: readonly string[]): string[] {
  const returns = returnsOf(r);
  const lines = [
    `xlp diff on ${r.image} (${r.domain ? `${r.domain} domain` : 'no Xen context'}), payloads ${r.payloads.map((p) => p.name).join(', ')}: ` +
      `${count(r.inputs, 'input')} (seed ${r.seed}), ${count(r.divergences.length, 'divergence')}, ${r.unexpected} unexpected`,
  ];
  for (const f of r.functions) {
    lines.push(`  ${f.function}(${f.signature.join(', ')}) -> ${f.returns}: ${count(f.inputs, 'input')} (signature ${SOURCE_TITLES[f.signatureFrom]})`);
  }
  if (r.noContext) lines.push(`  calls ran without a current vCPU: ${r.noContext}`);
  for (const kind of KINDS) {
    const ds = r.divergences.filter((d) => d.kind === kind);
    if (!ds.length) continue;
    lines.push('', `${KIND_TITLES[kind]}: ${ds.length}`);
    const unexpected = ds.filter((d) => d.rule < 0);
    const expected = ds.filter((d) => d.rule >= 0);
    for (const d of [...unexpected, ...expected.slice(0, EXPECTED_ROWS)]) {
      lines.push(`  ${d.rule >= 0 ? 'expected  ' : 'UNEXPECTED'} ${d.function}(${d.input.args.map(shortArg).join(', ')}): ` +
        `old ${outcome(d.old, returns.get(d.function)!)}, new ${outcome(d.new, returns.get(d.function)!)}`);
      if (kind === 'different-writes') writesNote(d).forEach((n) => lines.push(`      ${n}`));
    }
    if (expected.length > EXPECTED_ROWS) lines.push(`  … and ${expected.length - EXPECTED_ROWS} more expected`);
  }
  if (files.length) lines.push('', `scenarios: ${files.length} written, e.g. ${files[0]}`);
  return lines;
}

function sideJson(o: Observation): Record<string, unknown> {
  const j: Record<string, unknown> = {};
  if (o.fault) j.fault = { vector: o.fault.vector, where: o.fault.where, reason: o.fault.reason };
  else j.returns = hex(o.returns!);
  if (o.text !== undefined) j.string = o.text;
  j.console = o.console;
  j.buffers = o.buffers.map((b) => (b ? b.toString('hex') : null));
  j.data = o.data.map((w) => ({ address: hex(w.address), where: w.where, bytes: w.bytes.toString('hex') }));
  return j;
}

export function jsonReport(r: DiffResult, files: readonly string[]): string {
  return JSON.stringify({
    version: r.version,
    image: r.image,
    buildId: r.buildId,
    payloads: r.payloads.map((p) => p.name),
    domain: r.domain ?? null,
    ...(r.noContext ? { noContext: r.noContext } : {}),
    seed: r.seed,
    count: r.count,
    functions: r.functions.map((f) => ({
      function: f.function, address: hex(f.address), signature: f.signature, returns: f.returns, signatureFrom: f.signatureFrom, inputs: f.inputs,
    })),
    inputs: r.inputs,
    unexpected: r.unexpected,
    divergences: r.divergences.map((d, i) => ({
      function: d.function,
      args: d.input.args.map((a, k) => argText(a, d.old.registers[k]!)),
      kind: d.kind,
      expected: d.rule >= 0,
      old: sideJson(d.old),
      new: sideJson(d.new),
      ...(files[i] ? { scenario: files[i] } : {}),
    })),
  }, null, 2);
}

/** The call as a scenario step checking what the side did (a string return by its text; void by nothing). */
function callStep(d: Divergence, o: Observation, domain: string | undefined, returns: string): Record<string, unknown> {
  const s: Record<string, unknown> = { call: d.function };
  if (d.input.args.length) s.args = d.input.args.map((a, k) => argText(a, o.registers[k]!));
  if (domain) s.domain = domain;
  if (o.fault) s.fault = { vector: o.fault.vector };
  else if (typeof o.text === 'string') s.string = o.text;
  else if (returns !== 'void') s.returns = hex(o.returns!);
  return s;
}

/** Each divergence as `DIR/NNN-KIND-FUNCTION.yaml`; returns the files, in divergence order. */
export function writeScenarios(r: DiffResult, dir: string): string[] {
  if (!r.divergences.length) return [];
  mkdirSync(dir, { recursive: true });
  const returns = returnsOf(r);
  return r.divergences.map((d, i) => {
    const ret = returns.get(d.function)!;
    const file = join(dir, `${String(i + 1).padStart(3, '0')}-${d.kind}-${d.function}.yaml`);
    const doc = new Document({
      name: `xlp diff ${d.kind}: ${d.function}(${d.input.args.map(shortArg).join(', ')})`,
      image: r.image,
      steps: [
        ...r.payloads.map((p) => ({ upload: p.name, file: resolve(p.file) })),
        callStep(d, d.old, r.domain, ret),
        ...r.payloads.map((p) => ({ apply: p.name, state: 'APPLIED' })),
        callStep(d, d.new, r.domain, ret),
      ],
    });
    doc.commentBefore = [
      ` Found by xlp diff (seed ${r.seed}): old ${outcome(d.old, ret)}, new ${outcome(d.new, ret)}${d.rule >= 0 ? ' (expected)' : ''}.`,
      ...writesNote(d).map((n) => ` ${n}`),
      ' Replay with `xlp run`: the old code before the apply, the new after.',
    ].join('\n');
    writeFileSync(file, doc.toString({ lineWidth: 0 }));
    return file;
  });
}

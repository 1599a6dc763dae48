// Each failure as a scenario file that `xlp run` replays: the root's uploads, the shortest sequence with the
// outcome each operation had, then the failing step expecting what the invariant or check expected; the
// replay fails at that last step, as explore saw it.
import { formatCallArg } from '../call-args.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Document, isMap, isSeq } from 'yaml';
import { NAMED_IMAGES } from '../../loader/image/paths.ts';
import { describeStep } from '../scenario/runner.ts';
import type { Step } from '../scenario/schema.ts';
import type { ExploreResult } from './explore.ts';
import { type FailureRecord, INVARIANT_NAMES } from './failures.ts';

const hex = (v: bigint): string => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

/** One step as YAML: the operation first, then its options and what it must give. */
function stepObject(step: Step, dir: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (step.op === 'list') o.list = step.expect.list ?? [];
  else o[step.op] = step.target;
  if (step.file) o.file = pathFrom(dir, step.file);
  if (step.args?.length) {
    o.args = step.args.map((a) => {
      if (typeof a === 'object') return formatCallArg(a);
      const v = BigInt(a);
      return v >= -(2n ** 31n) && v < 2n ** 31n ? Number(v) : hex(v);
    });
  }
  if (step.nodeps) o.nodeps = true;
  const x = step.expect;
  if (x.errno !== undefined) o.errno = x.errno;
  if (x.state !== undefined) o.state = x.state;
  if (x.rc !== undefined) o.rc = x.rc;
  if (x.returns !== undefined) o.returns = x.returns >= -(2n ** 53n) && x.returns < 2n ** 53n ? Number(x.returns) : hex(x.returns);
  if (x.string !== undefined) o.string = x.string;
  return o;
}

/** Relative to the scenario when both are under one top-level directory (a moved checkout keeps working). */
function pathFrom(dir: string, file: string): string {
  const abs = resolve(file);
  const top = (p: string): string => p.split(sep)[1] ?? '';
  return top(abs) === top(resolve(dir)) ? relative(dir, abs) : abs;
}

const imageField = (image: string, dir: string): string => (Object.hasOwn(NAMED_IMAGES, image) ? image : pathFrom(dir, image));

/** Where the failures' sequences start: the image and the root's uploads. */
export interface Root {
  image: string;
  steps: readonly Step[];
}

/** The scenario of failure number `index`, for a file in `dir` (paths in it are relative to that). */
export function scenarioText(root: Root, f: FailureRecord, index: number, dir: string): string {
  const steps = [...root.steps, ...f.steps, ...f.final];
  const ops = [...root.steps, ...f.steps].map(describeStep);
  const doc = new Document({
    name: `explore failure ${index} (${INVARIANT_NAMES[f.invariant]}): ${f.subject}`,
    image: imageField(root.image, dir),
    steps: steps.map((s) => stepObject(s, dir)),
  });
  doc.commentBefore = [
    ` Found by xlp explore (invariant ${f.invariant}, ${INVARIANT_NAMES[f.invariant]}): ${f.message}`,
    ` Shortest sequence: ${ops.join(', ') || '(the root state)'}; then ${f.final.map(describeStep).join(', ')}`,
    ` Replay with \`xlp run\`: the last step fails as explore saw it.`,
  ].join('\n');
  const seq = doc.get('steps', true);
  if (isSeq(seq)) {
    const last = seq.items.at(-1);
    if (isMap(last)) last.commentBefore = ` expected: ${f.note}`;
  }
  return doc.toString({ lineWidth: 0 });
}

const slug = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);

/** Write every failure's scenario into `dir`; returns the files, in failure order. */
export function writeScenarios(r: ExploreResult, dir: string): string[] {
  if (!r.failures.length) return [];
  mkdirSync(dir, { recursive: true });
  return r.failures.map((f, i) => {
    const file = join(dir, `${String(i + 1).padStart(2, '0')}-${INVARIANT_NAMES[f.invariant]}-${slug(f.subject)}.yaml`);
    writeFileSync(file, scenarioText({ image: r.config.image, steps: r.rootSteps }, f, i + 1, dirname(resolve(file))));
    return file;
  });
}

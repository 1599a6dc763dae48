// Load-order exploration figures: every apply order of 6 payloads with LIFO reverts (`xlp explore --orders`),
// on 2 worker threads and on 1, against re-booting the image for every sequence; and a host snapshot+restore.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UnitExplorer } from '../cli/explore/engine.ts';
import { checkState, judgeOperation, predictedExpect } from '../cli/explore/invariants.ts';
import { predict } from '../cli/explore/model.ts';
import type { Op } from '../cli/explore/ops.ts';
import { Session, type SessionFacts } from '../cli/explore/session.ts';
import { listUnits } from '../cli/explore/units.ts';
import { performStep } from '../cli/scenario/runner.ts';
import type { Step } from '../cli/scenario/schema.ts';
import { REPO_ROOT } from '../loader/image/index.ts';
import { payloadPath } from '../loader/livepatch/payload-files.ts';
import { type Figure, median } from './measure.ts';

/** Co-loadable, stackable in any order with NODEPS, and re-appliable or never re-applied here. */
const PAYLOADS = ['xlp_fault_fixup', 'xlp_warn', 'xen_replace_world', 'xlp_static_ref', 'xlp_endbr', 'xlp_order_jmp'];
const files = PAYLOADS.map((n) => payloadPath('builtin', n));
const config = { image: 'builtin', payloads: files, mode: 'orders' as const, nodeps: true, checks: [] };

interface Run {
  ms: number;
  sequences: number;
  states: number;
}

/** `xlp explore --orders` as a user runs it; its own wall time (worker start-up included, not node's). */
function exploreCli(jobs: number): Run {
  const r = spawnSync(join(REPO_ROOT, 'bin/xlp'), ['explore', '--orders', '--nodeps', '--json', '--jobs', String(jobs), ...files], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`xlp explore failed (${r.status}): ${r.stderr}${r.stdout}`);
  const j = JSON.parse(r.stdout) as Run;
  return { ms: j.ms, sequences: j.sequences, states: j.states };
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/**
 * The same checks per step as explore (model prediction, invariants after every step) but no state to come
 * back to, hence no hashing or merging: a fresh boot and uploads (a new session) for every sequence.
 */
function rebootSequence(order: readonly string[], facts: SessionFacts): void {
  const s = new Session(config, facts); // boots and uploads (the facts about the payloads are not re-learned)
  try {
    const ctx = s.modelContext();
    let model = s.root.model;
    const ops: Op[] = [...order.map((payload): Op => ({ kind: 'apply', payload })), ...[...order].reverse().map((payload): Op => ({ kind: 'revert', payload }))];
    for (const op of ops) {
      const pred = predict(model, op, ctx);
      const step: Step = { op: op.kind, target: op.payload, nodeps: op.kind === 'apply', expect: predictedExpect(op, pred), index: 0 };
      const outcome = performStep(s.host, s.scenario, step);
      if (judgeOperation(op, step, outcome, pred)) throw new Error(`unexpected failure at ${op.kind} ${op.payload}`);
      model = pred.next;
      const state = s.host.snapshot(); // the checks' guest calls are undone with it
      checkState(s, model, state);
      s.restore(state);
    }
  } finally {
    s.close();
  }
}

function rebootEstimate(sample: number): { perSequence: number; total: number } {
  const all = permutations(PAYLOADS);
  const picked = all.filter((_, i) => i % Math.floor(all.length / sample) === 0).slice(0, sample);
  const first = new Session(config);
  const facts = first.facts;
  first.close();
  rebootSequence(picked[0]!, facts); // warm-up
  const t0 = performance.now();
  for (const order of picked) rebootSequence(order, facts);
  const perSequence = (performance.now() - t0) / picked.length;
  return { perSequence, total: perSequence * all.length };
}

/** The same exploration in this thread (1 core), for the like-for-like ratio. */
function exploreInProcess(): number {
  const t0 = performance.now();
  const s = new Session(config);
  try {
    for (const u of listUnits(s)) new UnitExplorer(s, u).run();
  } finally {
    s.close();
  }
  return performance.now() - t0;
}

function snapshotRestore(): number {
  const s = new Session({ ...config, mode: 'all' });
  try {
    const h = s.host;
    const text = h.image.symbol('plain_answer');
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const snap = h.snapshot();
      const t1 = performance.now();
      h.machine.write(text, Uint8Array.of(0xcc)); // a changed text page: restore must drop its translations
      const t2 = performance.now();
      h.restore(snap);
      samples.push(t1 - t0 + (performance.now() - t2));
    }
    return median(samples.slice(20));
  } finally {
    s.close();
  }
}

export function exploreFigures(): Figure[] {
  // `xlp explore` (compiled, as users run it) with 2 worker threads and with 1, interleaved: the machine is shared.
  const two: Run[] = [];
  const single: Run[] = [];
  for (let i = 0; i < 3; i++) {
    two.push(exploreCli(2));
    single.push(exploreCli(1));
  }
  const wall = median(two.map((r) => r.ms));
  const wallOne = median(single.map((r) => r.ms));
  const one = median([exploreInProcess(), exploreInProcess(), exploreInProcess()]);
  const SAMPLE = 24;
  const reboot = rebootEstimate(SAMPLE);
  const snap = snapshotRestore();
  const { sequences, states } = two[0]!;
  return [
    { name: 'explore 720 apply orders of 6 payloads + LIFO reverts, 2 jobs (wall)', value: wall / 1000, unit: 's', goal: '≤ 5 s', met: wall <= 5000 },
    { name: '  sequences explored (prefixes shared, states merged)', value: sequences, unit: 'sequences' },
    { name: '  distinct states (stateHash)', value: states, unit: 'states' },
    { name: 'explore the same, 1 job (wall)', value: wallOne / 1000, unit: 's' },
    { name: 'explore 2 jobs / 1 job (wall, same run)', value: wall / wallOne, unit: '×', goal: '< 1', met: wall < wallOne },
    { name: 'explore the same, 1 job (in process)', value: one / 1000, unit: 's' },
    { name: `re-boot per sequence, 1 core (extrapolated from ${SAMPLE} of 720 sequences)`, value: reboot.total / 1000, unit: 's' },
    { name: 're-boot per sequence / explore, 1 core each', value: reboot.total / one, unit: '×', goal: '≥ 10×', met: reboot.total / one >= 10 },
    { name: 'host snapshot + restore (builtin, 6 payloads loaded)', value: snap, unit: 'ms', goal: '≤ 1 ms', met: snap <= 1 },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./measure.ts');
  console.log(formatTable(exploreFigures()));
}

// Breadth-first exploration of one unit (the root, or everything after one first operation) on a session's
// host: each state is reached once, by the first (hence a shortest) sequence; a transition restores the
// parent's snapshot instead of rebooting. States are merged by host.stateHash() within the unit only, so a
// unit explores the same sequences whichever process runs it.
import type { HostSnapshot } from '../../loader/livepatch/host.ts';
import { performStep, type StepOutcome } from '../scenario/runner.ts';
import type { Step } from '../scenario/schema.ts';
import type { FailureRecord } from './failures.ts';
import { type Finding, checkState, judgeOperation, observedExpect, predictedExpect } from './invariants.ts';
import { type ModelContext, type ModelState, predict } from './model.ts';
import { type Attempts, attemptLabel, refusalRecord } from './never.ts';
import { exploredKinds, nextOps, type Op, type OpKind, sequenceLabel } from './ops.ts';
import type { Session } from './session.ts';
import { type CompactSnapshot, compact, inflate } from './snapshots.ts';
import type { Unit } from './units.ts';

export interface UnitResult {
  unit: number;
  /** Operations performed (each is one explored sequence: its state's sequence plus this operation). */
  sequences: number;
  /** Labels of those sequences, when collected. */
  labels: string[];
  /** Hashes of the states reached (the root's only in the root unit). */
  states: string[];
  failures: FailureRecord[];
  /** Which uploads and applies succeeded in this unit, and the first refusal of each. */
  attempts: Attempts;
}

interface Node {
  hash: string;
  parent: Node | undefined;
  /** The operation that led here from the parent, with its outcome. */
  step: Step | undefined;
  op: Op | undefined;
  depth: number;
  model: ModelState;
  summary: string;
  snap: CompactSnapshot | undefined;
}

export class UnitExplorer {
  private readonly seen = new Set<string>();
  private readonly found = new Map<string, FailureRecord>();
  private readonly succeeded = new Set<string>();
  private readonly refused = new Map<string, FailureRecord>();
  private readonly result: UnitResult;
  private readonly ctx: ModelContext;
  private readonly rootRam: Buffer;
  private readonly kinds: OpKind[];
  /** The node the host is in (undefined: somewhere else, restore first). */
  private hostAt: Node | undefined;
  /** The node being expanded, with its full snapshot (restores and the unchanged-state test need it). */
  private current: { node: Node; full: HostSnapshot } | undefined;
  private order = 0;
  /** RAM buffer reused for the node being expanded. */
  private scratch: Buffer | undefined;

  constructor(private readonly s: Session, private readonly unit: Unit, private readonly onStep?: (r: UnitResult) => void) {
    this.result = { unit: unit.index, sequences: 0, labels: [], states: [], failures: [], attempts: { succeeded: [], refused: [] } };
    this.ctx = s.modelContext();
    this.rootRam = s.root.snap.machine.ram;
    this.kinds = exploredKinds(s.uploadsExplored);
  }

  run(): UnitResult {
    const r = this.s.root;
    const root: Node = {
      hash: r.hash, parent: undefined, step: undefined, op: undefined, depth: 0, model: r.model, summary: r.summary,
      snap: compact(r.snap, this.rootRam),
    };
    this.seen.add(root.hash);
    if (!this.unit.first) {
      this.s.restore(r.snap);
      this.record(root, checkState(this.s, root.model, r.snap));
      this.result.states.push(root.hash);
    } else {
      let frontier = this.expand(root, [this.unit.first]);
      while (frontier.length) {
        const next: Node[] = [];
        for (const n of frontier) next.push(...(n.depth < this.s.depth ? this.expand(n, this.successors(n)) : []));
        for (const n of frontier) n.snap = undefined;
        frontier = next;
      }
    }
    this.result.failures = [...this.found.values()];
    this.result.attempts = { succeeded: [...this.succeeded], refused: [...this.refused.values()] };
    return this.result;
  }

  private successors(n: Node): Op[] {
    return nextOps(this.s.config.mode, this.kinds, this.s.names, n.model);
  }

  private ensureAt(n: Node): void {
    if (this.current?.node !== n) this.current = { node: n, full: inflate(n.snap!, this.rootRam, this.scratch) };
    this.scratch = this.current.full.machine.ram;
    if (this.hostAt !== n) {
      this.s.restore(this.current.full);
      this.hostAt = n;
    }
  }

  private expand(n: Node, ops: readonly Op[]): Node[] {
    const children: Node[] = [];
    for (const op of ops) {
      const child = this.transition(n, op);
      if (child) children.push(child);
    }
    this.current = undefined;
    return children;
  }

  private stepFor(op: Op): Step {
    if (op.kind === 'upload') return this.s.uploadStep(op.payload);
    return { op: op.kind, target: op.payload, expect: {}, index: 0, ...(op.kind === 'apply' && this.s.config.nodeps ? { nodeps: true } : {}) };
  }

  private transition(n: Node, op: Op): Node | undefined {
    this.ensureAt(n);
    const s = this.s;
    const pred = predict(n.model, op, this.ctx);
    const step = this.stepFor(op);
    if (pred.certain) step.expect = predictedExpect(op, pred);
    const outcome = performStep(s.host, s.scenario, step);
    this.result.sequences++;
    if (s.config.collectSequences) this.result.labels.push(sequenceLabel([...this.ops(n), op]));
    this.attempted(n, op, step, outcome);
    const finding = judgeOperation(op, step, outcome, pred);
    if (finding) this.record(n, [finding], true);
    this.onStep?.(this.result);
    if (finding?.invariant === 1) {
      this.hostAt = undefined;
      return undefined;
    }
    s.canonicalize();
    if (this.unchanged(n)) return undefined;
    this.hostAt = undefined;
    const hash = s.host.stateHash();
    if (this.seen.has(hash)) return undefined;
    this.seen.add(hash);
    this.result.states.push(hash);
    const model = pred.certain && !finding ? pred.next : s.observe();
    const full = s.host.snapshot();
    const child: Node = {
      hash, parent: n, op, step: { ...step, expect: observedExpect(outcome) }, depth: n.depth + 1, model,
      summary: s.summary(), snap: compact(full, this.rootRam),
    };
    this.record(child, checkState(s, model, full));
    this.hostAt = undefined; // the checks' guest calls left their traces
    return child;
  }

  /** An upload or apply: note that it succeeded, or its first (shortest) refusal in case it never does. */
  private attempted(n: Node, op: Op, step: Step, outcome: StepOutcome): void {
    const label = attemptLabel(op);
    if (!label || this.succeeded.has(label)) return;
    if (!outcome.errno && !outcome.fault) {
      this.succeeded.add(label);
      this.refused.delete(label);
    } else if (!this.refused.has(label)) {
      const steps = this.steps(n);
      this.refused.set(label, refusalRecord(label, steps, step, outcome, [steps.length + 1, this.unit.index, this.order++]));
    }
  }

  /** Same RAM and same loader state as the node: a refused or no-op operation (no hash needed). */
  private unchanged(n: Node): boolean {
    const mem = this.s.host.machine.memory;
    return mem.bytes.subarray(0, mem.highWater).equals(this.current!.full.machine.ram) && this.s.summary() === n.summary;
  }

  private ops(n: Node): Op[] {
    const out: Op[] = [];
    for (let x: Node | undefined = n; x?.op; x = x.parent) out.push(x.op);
    return out.reverse();
  }

  private steps(n: Node): Step[] {
    const out: Step[] = [];
    for (let x: Node | undefined = n; x?.step; x = x.parent) out.push(x.step);
    return out.reverse();
  }

  /**
   * Keep the first (in BFS order, so a shortest) occurrence of each failure found at node `n`; `byOperation`:
   * found on an operation from `n`, which then belongs to the sequence.
   */
  private record(n: Node, findings: readonly Finding[], byOperation = false): void {
    for (const f of findings) {
      if (this.found.has(f.key)) continue;
      const steps = this.steps(n);
      const length = steps.length + (byOperation ? 1 : 0);
      this.found.set(f.key, {
        key: f.key, invariant: f.invariant, subject: f.subject, message: f.message, steps, final: f.final, note: f.note,
        rank: [length, this.unit.index, this.order++],
      });
    }
  }
}

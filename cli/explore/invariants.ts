// The invariants checked after every step. At a new state: no fault when calling each patched function (1),
// patched text as the applied stack implies (2), the user's checks (4). On every operation: the host stays
// alive (1) and does what the model of Xen predicts (3). Each failure comes with the steps that reproduce it.
import type { CallArg } from '../../emulator/cpu/arguments.ts';
import type { HostSnapshot } from '../../loader/livepatch/host.ts';
import { compare, performStep, type StepOutcome } from '../scenario/runner.ts';
import type { Step } from '../scenario/schema.ts';
import { checkApplies, describeCheck, type UserCheck } from './checks.ts';
import type { Invariant } from './failures.ts';
import type { ModelState, Prediction } from './model.ts';
import { type Op, opLabel } from './ops.ts';
import type { PayloadInfo } from './payload-info.ts';
import type { Session } from './session.ts';
import { compareText, type ExpectedText, expectedText, type TextMismatch } from './text.ts';

export interface Finding {
  invariant: Invariant;
  key: string;
  subject: string;
  message: string;
  /** The steps that end the scenario: the last one fails (any before it set it up and pass). */
  final: Step[];
  note: string;
}

const callStep = (target: string, expect: Step['expect'] = {}, args?: readonly CallArg[]): Step => ({
  op: 'call', target, expect, index: 0, ...(args?.length ? { args: [...args] } : {}),
});

/** What the model expects a step to report: its errno, the payload's state and rc, and the whole LIST. */
export function predictedExpect(op: Op, pred: Prediction): Step['expect'] {
  const p = pred.next.loaded.find((x) => x.name === op.payload);
  const x: Step['expect'] = { state: p ? p.state : 'absent' };
  if (pred.errno) x.errno = pred.errno;
  if (p) x.rc = p.rc;
  x.list = pred.next.loaded.map((l) => ({ name: l.name, state: l.state, rc: l.rc }));
  return x;
}

/** The outcome as a step's expectations (for the steps that lead to a failure). */
export function observedExpect(o: StepOutcome): Step['expect'] {
  const x: Step['expect'] = {};
  if (o.errno) x.errno = o.errno;
  if (o.state) x.state = o.state;
  if (o.rc !== undefined) x.rc = o.rc;
  return x;
}

/** A fault, a timeout, or an error that is not one of Xen's errnos: the hypervisor would be dead. */
export function hostDied(o: StepOutcome): boolean {
  return o.fault !== undefined || (o.errno !== undefined && !/^E[A-Z0-9]+$/.test(o.errno));
}

function mismatchKind(step: Step, o: StepOutcome): string {
  const x = step.expect;
  const parts: string[] = [];
  if ((x.errno ?? '') !== (o.errno ?? '')) parts.push(`errno ${x.errno ?? 'none'}->${o.errno ?? 'none'}`);
  if (x.state !== undefined && x.state !== o.state) parts.push(`state ${x.state}->${o.state ?? 'none'}`);
  if (x.rc !== undefined && x.rc !== o.rc) parts.push('rc');
  if (x.list && JSON.stringify(x.list) !== JSON.stringify(o.list ?? [])) parts.push('list');
  return parts.join(',');
}

const withoutList = (step: Step): Step => {
  const { list: _, ...expect } = step.expect;
  return { ...step, expect };
};

/**
 * Invariants 1 (the host survives) and 3 (the model's prediction) for one operation. A scenario step cannot
 * expect both an operation's result and LIST, so a wrong LIST alone becomes a `list:` step after it.
 */
export function judgeOperation(op: Op, step: Step, outcome: StepOutcome, pred: Prediction): Finding | undefined {
  const label = opLabel(op);
  if (hostDied(outcome)) {
    // Keyed by where it died: the same BUG reached through different operations is one failure.
    const why = outcome.fault ? `${outcome.fault.where}:${outcome.fault.reason}` : outcome.errno!;
    return {
      invariant: 1, key: `1:dead:${why}`, subject: label,
      message: `the hypervisor died: ${outcome.message ?? why}`, final: [withoutList(step)],
      note: `${label} must leave the hypervisor alive`,
    };
  }
  if (!pred.certain) return undefined;
  const bad = compare(step, outcome);
  if (!bad.length) return undefined;
  const alone = withoutList(step);
  const final = compare(alone, outcome).length
    ? [alone]
    : [alone, { op: 'list', expect: { list: step.expect.list }, index: 0 } satisfies Step];
  return {
    invariant: 3, key: `3:${label}:${mismatchKind(step, outcome)}`, subject: label, message: bad.join('; '), final,
    note: `${label} must give what Xen 4.17 gives (spec §3.4-3.7)`,
  };
}

/** The loaded payloads' old functions that the image names (a call step needs a symbol). */
function patchedFunctions(s: Session, loaded: readonly PayloadInfo[]): string[] {
  const out = new Set<string>();
  for (const p of loaded) {
    for (const f of p.funcs) {
      const sym = s.host.image.symbols.containing(f.oldAddr);
      if (sym && sym.address === f.oldAddr && s.host.image.symbols.address(sym.name) === f.oldAddr) out.add(sym.name);
    }
  }
  return [...out];
}

/**
 * A step that fails where the text does: memset(addr, 0, 0) returns addr, and the step compares the C string
 * there (latin1) with the expected bytes from the first wrong byte on. Scenarios have no memory step.
 */
function textStep(s: Session, m: TextMismatch, text: ExpectedText): Step | undefined {
  if (s.host.image.symbols.address('memset') === undefined) return undefined;
  let str = '';
  for (let a = m.address; str.length < 4000; a++) {
    const want = text.get(a);
    const b = want ?? s.host.machine.peek(a, 1)?.[0];
    if (b === undefined || b === 0) break;
    str += String.fromCharCode(b);
  }
  return callStep('memset', { string: str }, [m.address, 0n, 0n]);
}

const infos = (s: Session, names: readonly string[]): PayloadInfo[] =>
  names.map((n) => s.info(n)).filter((i): i is PayloadInfo => i !== undefined);

/** Invariant 2: each patched function's bytes against the model's. */
function textFindings(s: Session, loaded: readonly PayloadInfo[], text: ExpectedText): Finding[] {
  return compareText(loaded, text, s.original, (a, n) => s.host.machine.peek(a, n)).map((m) => {
    const at = `${m.function}+0x${(m.address - m.oldAddr).toString(16)}`;
    return {
      invariant: 2, key: `2:${m.function}`, subject: m.function,
      message: `${m.function}: expected ${m.expected}, found ${m.actual} (first difference at ${at})`,
      final: [textStep(s, m, text) ?? callStep(m.function)],
      note: `the bytes of ${m.function} must be what the applied stack implies: ${m.expected} ` +
        `(the step reads them as a string from ${at}, where they first differ)`,
    };
  });
}

/**
 * Invariants 1 and 4: the due checks, then each patched function not called by a check with no arguments.
 * Calls run back to back from the state (`full`); one that fails after others is run again alone, and only
 * that run counts, so what is reported is what the written scenario's last step will see. The last calls
 * are not undone: the caller restores a snapshot before going on.
 */
function callFindings(s: Session, model: ModelState, loaded: readonly PayloadInfo[], full: HostSnapshot): Finding[] {
  const found: Finding[] = [];
  const calls: { step: Step; check?: UserCheck }[] = [];
  for (const c of s.config.checks) {
    if (!checkApplies(c, model.applied)) continue;
    const expect: Step['expect'] = c.returns !== undefined ? { returns: c.returns } : { string: c.string! };
    calls.push({ step: callStep(c.call, expect, c.args), check: c });
  }
  for (const fn of patchedFunctions(s, loaded)) {
    if (!calls.some((c) => c.step.target === fn && !c.step.args)) calls.push({ step: callStep(fn) });
  }
  let clean = true;
  const run = (step: Step): { outcome: StepOutcome; bad: string[]; alone: boolean } => {
    const alone = clean;
    clean = false;
    const outcome = performStep(s.host, s.scenario, step);
    return { outcome, bad: compare(step, outcome), alone };
  };
  const rewind = (): void => {
    s.restore(full);
    clean = true;
  };
  for (const { step, check } of calls) {
    let r = run(step);
    if (r.bad.length && !r.alone) {
      rewind();
      r = run(step);
    }
    const { outcome, bad } = r;
    if (!bad.length) continue;
    rewind(); // a failed call may leave the machine anywhere
    const fn = step.target!;
    if (hostDied(outcome) || !check) {
      const why = outcome.fault ? `${outcome.fault.vector}:${outcome.fault.reason}` : (outcome.errno ?? bad[0]!);
      const fault = bad.filter((b) => b.startsWith('guest fault') || b.startsWith('failed with'));
      found.push({
        invariant: 1, key: `1:${fn}:${why}`, subject: fn, message: (fault.length ? fault : bad).join('; '),
        final: [callStep(fn, {}, step.args)], note: `calling ${fn}() must not fault`,
      });
    }
    if (check) {
      const kind = bad.map((b) => b.replace(/^(expected \w+(?: \w+)?|guest fault|failed with).*$/, '$1')).join(',');
      found.push({
        invariant: 4, key: `4:${check.index}:${kind}`, subject: `check ${check.index} ${check.call}`,
        message: `${describeCheck(check)}: ${bad.join('; ')}`, final: [step], note: `check ${check.index}: ${describeCheck(check)}`,
      });
    }
  }
  return found;
}

/** Invariants 1, 2 and 4 at the state the host is in (`full` is its snapshot; the host is left elsewhere). */
export function checkState(s: Session, model: ModelState, full: HostSnapshot): Finding[] {
  const loaded = infos(s, model.loaded.map((p) => p.name));
  const text = expectedText(loaded, infos(s, model.applied), s.original);
  return [...textFindings(s, loaded, text), ...callFindings(s, model, loaded, full)];
}

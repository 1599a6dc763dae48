// Runs a scenario on a fresh in-process host; stops at the first step that does not give what it expects.
import { cStringOf, formatCallArg } from '../call-args.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { type CallStop, callStopOf } from '../../emulator/cpu/errors.ts';
import { bootImage } from '../../loader/boot.ts';
import { NAMED_IMAGES, REPO_ROOT } from '../../loader/image/index.ts';
import { Errno, LivepatchError, errnoName } from '../../loader/livepatch/errno.ts';
import { LivepatchHost } from '../../loader/livepatch/host.ts';
import { XenContext } from '../../emulator/xen/context/context.ts';
import type { FaultExpectation, Scenario, Step, StepState } from './schema.ts';

export interface StepOutcome {
  errno?: string;
  message?: string;
  state?: StepState;
  rc?: number;
  returns?: bigint;
  string?: string;
  fault?: CallStop;
  console: string[];
  list?: { name: string; state: string; rc: number }[];
  /** call: each argument's buffer after the call (undefined for an integer argument). */
  buffers?: (Uint8Array | undefined)[];
}

export interface StepResult {
  step: Step;
  description: string;
  ok: boolean;
  mismatches: string[];
  outcome: StepOutcome;
  ms: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  ok: boolean;
  steps: StepResult[];
  /** Set when the scenario could not run at all (bad image, missing payload file). */
  error?: string;
  ms: number;
}

/** Where a step is written: `file:line` (or `step N` for a scenario built in code). */
export function stepWhere(sc: Scenario, s: Step): string {
  return s.line !== undefined && sc.file ? `${sc.file}:${s.line}` : `step ${s.index}`;
}

export function describeStep(s: Step): string {
  const args = s.args?.length ? ` ${s.args.map(formatCallArg).join(' ')}` : '';
  return `${s.op}${s.target ? ` ${s.target}` : ''}${args}${s.nodeps ? ' --nodeps' : ''}`;
}

function here(s: Scenario): string {
  return s.file ? dirname(resolve(s.file)) : process.cwd();
}

export function imagePath(s: Scenario): string {
  if (Object.hasOwn(NAMED_IMAGES, s.image)) return s.image;
  return isAbsolute(s.image) ? s.image : join(here(s), s.image);
}

export function payloadFile(s: Scenario, step: Step): string {
  const t = step.file ?? step.target!;
  if (step.file || t.includes('/') || t.endsWith('.livepatch')) return isAbsolute(t) ? t : join(here(s), t);
  const dir = s.payloads
    ? (isAbsolute(s.payloads) ? s.payloads : join(here(s), s.payloads))
    : Object.hasOwn(NAMED_IMAGES, s.image) ? join(REPO_ROOT, 'build/payloads', s.image) : undefined;
  if (!dir) throw new Error(`${stepWhere(s, step)}: give \`payloads:\` (a directory) or \`file:\` for an image given by path`);
  return join(dir, `${t}.livepatch`);
}

const payloadName = (s: Step): string => (s.op === 'load' && (s.target!.includes('/') || s.target!.endsWith('.livepatch'))
  ? basename(s.target!).replace(/\.[^.]*$/, '')
  : s.target!);

function readPayload(s: Scenario, step: Step): Buffer {
  const f = payloadFile(s, step);
  if (!existsSync(f)) throw new Error(`${stepWhere(s, step)}: payload file ${f} not found`);
  if (statSync(f).isDirectory()) throw new Error(`${stepWhere(s, step)}: ${f} is a directory, not a payload file`);
  return readFileSync(f);
}

const ACTION = { apply: 'APPLY', revert: 'REVERT', replace: 'REPLACE', unload: 'UNLOAD' } as const;

/** Perform one step; the outcome is what happened, whatever was expected. */
export function performStep(host: LivepatchHost, sc: Scenario, step: Step): StepOutcome {
  const m = host.machine;
  m.console.drain();
  const out: StepOutcome = { console: [] };
  const name = step.target === undefined ? undefined : payloadName(step);
  const waitAndRc = (): void => {
    host.idle();
    const rc = host.get(name!).rc;
    if (rc < 0) out.errno = errnoName(-rc);
  };
  try {
    switch (step.op) {
      case 'upload':
        host.upload(name!, readPayload(sc, step));
        break;
      case 'apply':
      case 'revert':
      case 'replace':
        host.action(name!, ACTION[step.op], { nodeps: !!step.nodeps });
        if (step.wait !== false) waitAndRc();
        break;
      case 'unload':
        host.action(name!, 'UNLOAD');
        break;
      case 'load': {
        host.upload(name!, readPayload(sc, step));
        try {
          host.action(name!, 'APPLY', { nodeps: !!step.nodeps });
          waitAndRc();
        } catch (e) {
          if (e instanceof LivepatchError) out.errno = e.errnoName;
          else throw e;
        }
        if (out.errno) host.action(name!, 'UNLOAD'); // as xen-livepatch load does
        break;
      }
      case 'call': {
        if (step.domain) XenContext.install(host.image).use(step.domain); // made the first time a step names a domain
        const r = m.callWith(host.image.symbol(step.target!), step.args ?? []);
        const rv = r.value;
        out.returns = rv;
        out.buffers = r.buffers.map((b) => b?.bytes);
        if (step.expect.string !== undefined) out.string = rv === 0n ? '(null)' : m.readCString(rv);
        break;
      }
      case 'idle':
        host.idle();
        break;
      case 'list':
        break;
    }
  } catch (e) {
    const stop = callStopOf(e);
    if (e instanceof LivepatchError) {
      out.errno = e.errnoName;
      out.message = e.message;
    } else if (stop) {
      out.fault = stop;
      out.message = (e as Error).message.split('\n')[0]; // a fault's report goes on for lines; a time-out's is one
    } else {
      out.errno = (e as Error).name;
      out.message = (e as Error).message;
    }
  }
  out.console = m.console.drain();
  try {
    if (name !== undefined && step.op !== 'call') {
      const st = host.get(name);
      out.state = st.state;
      out.rc = st.rc;
    }
  } catch (e) {
    if (e instanceof LivepatchError && e.errno === Errno.ENOENT) out.state = 'absent';
  }
  try {
    if (step.op === 'list' || step.expect.list) out.list = host.list().map(({ name: n, state, rc }) => ({ name: n, state, rc }));
  } catch {
    /* a dead host has no list; the mismatch shows */
  }
  return out;
}

function matches(pattern: string, text: string): boolean {
  const re = /^\/(.*)\/([a-z]*)$/.exec(pattern);
  return re ? new RegExp(re[1]!, re[2]).test(text) : text.includes(pattern);
}

function normaliseErrno(e: string): string {
  return /^-?\d+$/.test(e) ? errnoName(Math.abs(Number(e))) : e.replace(/^-/, '');
}

/** What differs between the step's expectations and its outcome (empty: the step passed). */
export function compare(step: Step, o: StepOutcome): string[] {
  const x = step.expect;
  const bad: string[] = [];
  if (x.errno !== undefined) {
    if (o.errno !== normaliseErrno(x.errno)) bad.push(`expected errno ${normaliseErrno(x.errno)}, got ${o.errno ?? 'success'}`);
  } else if (o.errno) bad.push(`failed with ${o.errno}${o.message ? ` (${o.message})` : ''}`);
  const fx: FaultExpectation | undefined = x.fault;
  if (fx) {
    if (!o.fault) bad.push('expected a guest fault, but the call returned');
    else {
      if (fx.vector !== undefined && fx.vector !== o.fault.vector) bad.push(`expected fault vector ${fx.vector}, got ${o.fault.vector}`);
      if (fx.reason !== undefined && !matches(fx.reason, o.fault.reason)) bad.push(`expected fault reason ${fx.reason}, got "${o.fault.reason}"`);
      if (fx.where !== undefined && !matches(fx.where, o.fault.where)) bad.push(`expected fault at ${fx.where}, got ${o.fault.where}`);
    }
  } else if (o.fault) bad.push(`guest fault: ${o.message}`);
  if (x.state !== undefined && x.state !== o.state) bad.push(`expected state ${x.state}, got ${o.state ?? 'none'}`);
  if (x.rc !== undefined && x.rc !== o.rc) bad.push(`expected rc ${x.rc}, got ${o.rc ?? 'none'}`);
  if (x.returns !== undefined && (o.returns === undefined || BigInt.asUintN(64, x.returns) !== o.returns)) {
    bad.push(`expected return value ${x.returns}, got ${o.returns === undefined ? 'none' : BigInt.asIntN(64, o.returns)}`);
  }
  if (x.string !== undefined && x.string !== o.string) bad.push(`expected string ${JSON.stringify(x.string)}, got ${JSON.stringify(o.string ?? null)}`);
  if (x.console) {
    let from = 0;
    for (const want of x.console) {
      const at = o.console.findIndex((l, i) => i >= from && matches(want, l));
      if (at < 0) {
        bad.push(`expected console line ${JSON.stringify(want)}; printed: ${JSON.stringify(o.console)}`);
        break;
      }
      from = at + 1;
    }
  }
  for (const want of x.memory ?? []) {
    const got = o.buffers?.[want.arg];
    if (!got) {
      bad.push(`memory: argument ${want.arg} is not a buffer (zero:N, buf:HEX, str:TEXT)`);
      continue;
    }
    const hexGot = Buffer.from(got).toString('hex');
    if (want.bytes !== undefined && !hexGot.startsWith(want.bytes.toLowerCase())) {
      bad.push(`expected argument ${want.arg}'s buffer to start with ${want.bytes.toLowerCase()}, got ${hexGot.slice(0, Math.max(32, want.bytes.length))}`);
    }
    if (want.string !== undefined && cStringOf(got) !== want.string) {
      bad.push(`expected argument ${want.arg}'s buffer to hold ${JSON.stringify(want.string)}, got ${JSON.stringify(cStringOf(got) ?? null)}`);
    }
  }
  if (x.list) {
    const got = o.list ?? [];
    const ok = got.length === x.list.length && x.list.every((e, i) =>
      got[i]!.name === e.name && (e.state === undefined || e.state === got[i]!.state) && (e.rc === undefined || e.rc === got[i]!.rc));
    if (!ok) bad.push(`expected list ${JSON.stringify(x.list)}, got ${JSON.stringify(got)}`);
  }
  return bad;
}

export function runScenario(sc: Scenario, opts: { host?: LivepatchHost } = {}): ScenarioResult {
  const t0 = performance.now();
  const result: ScenarioResult = { scenario: sc, ok: true, steps: [], ms: 0 };
  let host = opts.host;
  try {
    host ??= new LivepatchHost(bootImage(imagePath(sc)));
    for (const step of sc.steps) {
      const t = performance.now();
      const outcome = performStep(host, sc, step);
      const mismatches = compare(step, outcome);
      result.steps.push({ step, description: describeStep(step), ok: !mismatches.length, mismatches, outcome, ms: performance.now() - t });
      if (mismatches.length) {
        result.ok = false;
        break;
      }
    }
  } catch (e) {
    result.ok = false;
    result.error = (e as Error).message;
  } finally {
    if (!opts.host) host?.machine.close();
  }
  result.ms = performance.now() - t0;
  return result;
}

// A scenario told as a story: each step run on a live host (as `xlp run` runs it), with what a student needs to
// see around it: payload states before and after and the state-machine edges taken, the applied stack, the
// console, the bytes of every patched function, a memory map, and for a call its trace beside the trace of the
// same call on the unpatched image.
import { initDisassembler } from '../../emulator/cpu/disasm.ts';
import { GuestTimeout } from '../../emulator/cpu/errors.ts';
import { type TraceResult, traceCall } from '../../emulator/xen/trace.ts';
import { type BootedImage, bootImage } from '../../loader/boot.ts';
import type { PayloadState } from '../../loader/livepatch/abi.ts';
import { LivepatchHost } from '../../loader/livepatch/host.ts';
import { type StepOutcome, compare, describeStep, imagePath, performStep } from '../scenario/runner.ts';
import type { Scenario, Step } from '../scenario/schema.ts';
import { type Code, codeAt, sameBytes } from './code.ts';
import { type FaultView, faultViews, tableFinder } from './fault.ts';
import { type MapJump, type MemoryMap, mapKey, memoryMap } from './memory-map.ts';
import { type SiteObservation, observeSites } from './sites.ts';

export type Presence = PayloadState | 'absent';
export type Edge = 'upload' | 'apply' | 'revert' | 'replace' | 'unload';

/** One use of an edge of the state machine: taken, or refused with an errno (nothing changed). */
export interface EdgeUse {
  payload: string;
  edge: Edge;
  from: Presence;
  to: Presence;
  taken: boolean;
  errno?: string;
}

export interface PayloadRow {
  name: string;
  state: PayloadState;
  rc: number;
}

export interface PayloadAtSite {
  name: string;
  state: Presence;
  /** Its fstate says the function is applied (after the step). */
  applied: boolean;
  /** Applied in this step: it saved `saved` and wrote `writes`. */
  appliedNow: boolean;
  /** What it saved when it applied, and whose bytes those were (`original` or a payload's name). */
  saved?: Code;
  savedFrom?: string;
  writes: Code;
  /** Where its jump goes (undefined for NOPs). */
  target?: string;
  /** Reverted in this step: the saved bytes it wrote back. */
  wroteBack?: Code;
}

export interface SiteView {
  name: string;
  oldAddr: bigint;
  site: bigint;
  length: number;
  original?: Code;
  before?: Code;
  now: Code;
  /** Whose bytes are at the site now: `original`, a payload's name, or `unknown`. */
  live: string;
  liveBefore?: string;
  payloads: PayloadAtSite[];
}

export interface TracedCall {
  image: string;
  trace: TraceResult;
  faults: FaultView[];
}

export interface CallView {
  symbol: string;
  args: bigint[];
  string: boolean;
  patched: TracedCall;
  /** The same call on the image as booted, no payload loaded (undefined for a payload's own function). */
  unpatched?: TracedCall;
}

export interface StoryStep {
  index: number;
  op: Step['op'];
  target?: string;
  title: string;
  /** What the scenario file expects of the step, in words. */
  expectation: string[];
  ok: boolean;
  mismatches: string[];
  outcome: StepOutcome;
  before: PayloadRow[];
  after: PayloadRow[];
  stackBefore: string[];
  stack: string[];
  edges: EdgeUse[];
  sites: SiteView[];
  map: MemoryMap;
  /** The step whose map this one repeats (the map is drawn where it changed). */
  sameMapAs?: number;
  call?: CallView;
}

export interface Story {
  name: string;
  image: string;
  buildId: string;
  file?: string;
  steps: StoryStep[];
  ok: boolean;
  /** Why the story could not go on (missing payload file, dead host). */
  error?: string;
}

interface Observation {
  rows: PayloadRow[];
  stack: string[];
  sites: SiteObservation[];
}

function observe(host: LivepatchHost): Observation {
  try {
    return {
      rows: host.list().map(({ name, state, rc }) => ({ name, state, rc })),
      stack: host.appliedStack.map((p) => p.name),
      sites: observeSites(host),
    };
  } catch {
    return { rows: [], stack: [], sites: [] }; // a dead host: nothing more to see
  }
}

/** Run the scenario step by step, recording everything the page and the terminal story show. */
export async function recordStory(sc: Scenario): Promise<Story> {
  await initDisassembler();
  const booted = bootImage(imagePath(sc));
  const host = new LivepatchHost(booted);
  let pristine: BootedImage | undefined;
  const story: Story = { name: sc.name, image: sc.image, buildId: host.image.buildIdHex, steps: [], ok: true };
  if (sc.file) story.file = sc.file;
  const maps = new Map<string, number>();
  const unpatched = new Map<string, TracedCall>(); // the image as booted answers a call the same way every time
  try {
    for (const step of sc.steps) {
      const before = observe(host);
      let outcome: StepOutcome;
      let call: CallView | undefined;
      if (step.op === 'call' && host.image.symbols.address(step.target!) !== undefined) {
        pristine ??= bootImage(imagePath(sc));
        ({ outcome, call } = await tracedCall(host, pristine, step, before.sites, unpatched));
      } else {
        outcome = performStep(host, sc, step);
      }
      const after = observe(host);
      const mismatches = compare(step, outcome);
      const sites = siteViews(host, before.sites, after.sites, after.rows);
      const map = memoryMap(host, mapJumps(host, sites));
      const key = mapKey(map);
      const s: StoryStep = {
        index: step.index, op: step.op, title: describeStep(step), expectation: expectationText(step), ok: !mismatches.length,
        mismatches, outcome, before: before.rows, after: after.rows, stackBefore: before.stack, stack: after.stack,
        edges: edges(step, outcome, before.rows, after.rows), sites, map,
      };
      if (step.target !== undefined) s.target = step.target;
      if (maps.has(key)) s.sameMapAs = maps.get(key)!;
      else maps.set(key, step.index);
      if (call) s.call = call;
      story.steps.push(s);
      if (mismatches.length) {
        story.ok = false;
        break;
      }
    }
  } catch (e) {
    story.ok = false;
    story.error = (e as Error).message;
  } finally {
    host.machine.close();
    pristine?.machine.close();
  }
  return story;
}

/** The traced call takes integers; a buffer argument (zero:N, buf:HEX, str:TEXT) is `xlp run`'s for now. */
function integerArgs(step: Step): bigint[] {
  return (step.args ?? []).map((a) => {
    if (typeof a === 'object') throw new Error(`step ${step.index}: xlp explain traces calls with integer arguments only; run buffer arguments with xlp run`);
    return BigInt(a);
  });
}

/** A `call` step, traced: the outcome as `xlp run` would see it, and the same call on the unpatched image. */
async function tracedCall(
  host: LivepatchHost, pristine: BootedImage, step: Step, sites: SiteObservation[], cache: Map<string, TracedCall>,
): Promise<{ outcome: StepOutcome; call: CallView }> {
  const m = host.machine;
  const args = integerArgs(step);
  const string = step.expect.string !== undefined;
  m.console.drain();
  const trampolines = sites.filter((s) => s.memory[0] === 0xe9).map((s) => s.site);
  const trace = await traceCall(m, host.image.symbol(step.target!), args, { string, trampolines });
  m.console.drain();
  const outcome: StepOutcome = { console: trace.console };
  if (trace.returned !== undefined) {
    outcome.returns = trace.returned;
    if (string) outcome.string = trace.string ?? '(null)';
  } else if (trace.fault) {
    outcome.fault = { vector: trace.fault.vector, where: trace.fault.where, reason: trace.fault.reason };
    outcome.message = `guest fault at ${trace.fault.where}: ${trace.fault.reason}`;
  } else {
    outcome.fault = { vector: -1, where: '', reason: trace.timeout ?? `stopped after ${trace.max} instructions` };
    outcome.message = trace.timeout ?? new GuestTimeout(`${trace.max} instructions`, 0n, '').message;
  }
  const patched: TracedCall = { image: host.image.name, trace, faults: faultViews(trace, host.image, tableFinder(host.image, host)) };
  const call: CallView = { symbol: step.target!, args, string, patched };
  const key = `${step.target}(${args.join(',')})${string}`;
  if (sites.length && !cache.has(key)) {
    const p = pristine.machine;
    p.console.drain();
    const t = await traceCall(p, pristine.image.symbol(step.target!), args, { string });
    p.console.drain();
    cache.set(key, { image: pristine.image.name, trace: t, faults: faultViews(t, pristine.image, tableFinder(pristine.image)) });
  }
  if (sites.length) call.unpatched = cache.get(key)!;
  return { outcome, call };
}

// ---- the patched functions ------------------------------------------------------------------------------------

function siteViews(host: LivepatchHost, before: SiteObservation[], after: SiteObservation[], rows: PayloadRow[]): SiteView[] {
  const sym = (a: bigint): string => host.machine.symbolize(a);
  const all = new Map<bigint, { b?: SiteObservation; a?: SiteObservation }>();
  for (const b of before) all.set(b.oldAddr, { b });
  for (const a of after) all.set(a.oldAddr, { ...all.get(a.oldAddr), a });
  return [...all.values()].map(({ b, a }) => {
    const o = (a ?? b)!;
    const code = (bytes: Uint8Array): Code => codeAt(o.site, bytes, o.tail, sym);
    const writers = [...(a?.payloads ?? []), ...(b?.payloads ?? [])];
    const whose = (bytes: Uint8Array): string => {
      if (sameBytes(bytes, o.original)) return 'original';
      return writers.find((w) => sameBytes(w.writes, bytes))?.name ?? 'unknown';
    };
    const names = [...new Set([...(b?.payloads ?? []), ...(a?.payloads ?? [])].map((p) => p.name))];
    const payloads = names.map((name): PayloadAtSite => {
      const pb = b?.payloads.find((p) => p.name === name);
      const pa = a?.payloads.find((p) => p.name === name);
      const cur = (pa ?? pb)!;
      const v: PayloadAtSite = {
        name, state: rows.find((r) => r.name === name)?.state ?? 'absent', applied: !!pa?.applied,
        appliedNow: !!pa?.applied && !pb?.applied, writes: code(cur.writes),
      };
      if (cur.newAddr !== 0n) v.target = sym(cur.newAddr).replace(/\+0x0$/, '');
      if (pa?.applied) {
        v.saved = code(pa.saved);
        v.savedFrom = whose(pa.saved);
      }
      if (pb?.applied && !pa?.applied) v.wroteBack = code(pb.saved);
      return v;
    });
    // Bytes now: after the step; a site no payload patches any more (all unloaded) is read again from memory.
    const now = a?.memory ?? host.machine.peek(o.site, o.length) ?? new Uint8Array();
    const v: SiteView = { name: o.name, oldAddr: o.oldAddr, site: o.site, length: o.length, now: code(now), live: whose(now), payloads };
    if (o.original) v.original = code(o.original);
    if (b) {
      v.before = code(b.memory);
      v.liveBefore = whose(b.memory);
    }
    return v;
  });
}

function mapJumps(host: LivepatchHost, sites: SiteView[]): MapJump[] {
  const sym = (a: bigint): string => host.machine.symbolize(a).replace(/\+0x0$/, '');
  const out: MapJump[] = [];
  for (const s of sites) {
    for (const p of s.payloads) {
      const to = p.writes.insns[0]?.target?.address;
      if (!p.applied || to === undefined) continue;
      out.push({ from: s.site, fromSymbol: sym(s.site), to, toSymbol: sym(to), payload: p.name, live: s.live === p.name });
    }
  }
  return out;
}

// ---- the state machine ----------------------------------------------------------------------------------------

const EDGE_ENDS: Record<Edge, [Presence, Presence]> = {
  upload: ['absent', 'CHECKED'], apply: ['CHECKED', 'APPLIED'], revert: ['APPLIED', 'CHECKED'],
  replace: ['CHECKED', 'APPLIED'], unload: ['CHECKED', 'absent'],
};

const use = (payload: string, edge: Edge, taken: boolean, errno?: string): EdgeUse => {
  const [from, to] = EDGE_ENDS[edge];
  return errno ? { payload, edge, from, to, taken, errno } : { payload, edge, from, to, taken };
};

/** The edges a step took or tried: read from the states before and after, and the errno of a refusal. */
export function edges(step: Step, o: StepOutcome, before: PayloadRow[], after: PayloadRow[]): EdgeUse[] {
  const state = (rows: PayloadRow[], n: string): Presence => rows.find((r) => r.name === n)?.state ?? 'absent';
  const out: EdgeUse[] = [];
  const name = step.target;
  if (step.op === 'load' && name !== undefined) {
    // xen-livepatch load: upload, apply, and unload again when the apply was refused.
    const uploaded = state(before, name) === 'absent' && !(o.errno && o.message !== undefined);
    if (!uploaded) return [use(name, 'upload', false, o.errno)];
    out.push(use(name, 'upload', true));
    if (state(after, name) === 'APPLIED') out.push(use(name, 'apply', true));
    else out.push(use(name, 'apply', false, o.errno), use(name, 'unload', true));
    return out;
  }
  for (const r of [...before, ...after.filter((a) => !before.some((b) => b.name === a.name))]) {
    const from = state(before, r.name);
    const to = state(after, r.name);
    if (from === to) continue;
    const edge: Edge = to === 'absent' ? 'unload' : from === 'absent' ? 'upload' : to === 'APPLIED' ? (step.op === 'replace' ? 'replace' : 'apply') : 'revert';
    out.push(use(r.name, edge, true));
  }
  const tried: Partial<Record<Step['op'], Edge>> = { upload: 'upload', apply: 'apply', revert: 'revert', replace: 'replace', unload: 'unload' };
  const edge = tried[step.op];
  if (edge && name !== undefined && !out.some((e) => e.payload === name && e.edge === edge)) {
    out.push(use(name, edge, false, o.errno ?? 'no change'));
  }
  return out;
}

// ---- what the file expects ------------------------------------------------------------------------------------

export function expectationText(step: Step): string[] {
  const x = step.expect;
  const out: string[] = [];
  if (x.errno !== undefined) out.push(`fails with ${/^-?\d+$/.test(x.errno) ? x.errno : `-${x.errno.replace(/^-/, '')}`}`);
  if (x.state !== undefined) out.push(`state ${x.state === 'absent' ? 'not loaded' : x.state}`);
  if (x.rc !== undefined) out.push(`rc ${x.rc}`);
  if (x.returns !== undefined) out.push(`returns 0x${BigInt.asUintN(64, x.returns).toString(16)}`);
  if (x.string !== undefined) out.push(`returns the string ${JSON.stringify(x.string)}`);
  if (x.fault) out.push('faults');
  if (x.console) out.push(...x.console.map((c) => `console ${JSON.stringify(c)}`));
  if (x.list) out.push(x.list.length ? `list: ${x.list.map((l) => `${l.name}${l.state ? ` ${l.state}` : ''}`).join(', ')}` : 'list is empty');
  return out;
}

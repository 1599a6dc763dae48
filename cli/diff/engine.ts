// `xlp diff`: the same inputs through the old code (payloads uploaded, not applied) and the new (applied),
// each input from the same start state, and every difference in what the code did.
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { type DomainKind, XenContext } from '../../emulator/xen/context/context.ts';
import { bootImage } from '../../loader/boot.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { LivepatchHost } from '../../loader/livepatch/host.ts';
import { type DivergenceKind, classify } from './compare.ts';
import type { Expectations } from './expect.ts';
import { type Input, InputError, generateInputs } from './inputs.ts';
import type { InputsFile } from './inputs-file.ts';
import { ArgumentArea, type Observation, RunSide } from './run-side.ts';
import { KNOWN_SIGNATURES, type Signature, formatArgType } from './signature.ts';

export const DIFF_REPORT_VERSION = 1;

export interface DiffOptions {
  image: string;
  /** Payload files, uploaded and applied in this order. */
  payloads: readonly string[];
  /** Functions to run (default: every function the payloads patch). */
  functions?: readonly string[];
  count: number;
  seed: number;
  domain: DomainKind;
  inputs?: InputsFile;
  expect?: Expectations;
  nodeps?: boolean;
}

export interface Divergence {
  function: string;
  kind: DivergenceKind;
  input: Input;
  old: Observation;
  new: Observation;
  /** Index of the expectation rule it matched, or -1. */
  rule: number;
}

export interface FunctionRun {
  function: string;
  address: bigint;
  signature: string[];
  inputs: number;
}

export interface DiffResult {
  version: number;
  image: string;
  buildId: string;
  payloads: { name: string; file: string }[];
  domain: DomainKind;
  seed: number;
  count: number;
  functions: FunctionRun[];
  inputs: number;
  divergences: Divergence[];
  unexpected: number;
  /** Inputs after which the reset had to restore all of RAM (the call allocated or mapped memory). */
  fullRestores: number;
}

export class DiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffError';
  }
}

export const payloadName = (file: string): string => basename(file).replace(/\.livepatch$/, '');

function signatureOf(fn: string, o: DiffOptions): Signature {
  const sig = o.inputs?.signatures.get(fn) ?? KNOWN_SIGNATURES.get(fn);
  if (!sig) throw new DiffError(`no signature for ${fn}: give its \`args\` in an --inputs file (known: ${[...KNOWN_SIGNATURES.keys()].join(', ')})`);
  return sig;
}

export function runDiff(o: DiffOptions): DiffResult {
  const booted = bootImage(o.image);
  try {
    const { machine, image } = booted;
    const ctx = XenContext.install(image);
    const host = new LivepatchHost(booted);
    const payloads = o.payloads.map((file) => ({ name: payloadName(file), file }));
    const patched = new Map<string, bigint>();
    for (const p of payloads) {
      try {
        host.upload(p.name, readFileSync(p.file));
      } catch (e) {
        if (e instanceof LivepatchError) throw new DiffError(`upload of ${p.file} failed: ${e.message}`);
        throw e;
      }
      for (const f of host.payload(p.name).prepared.funcs) {
        const s = image.symbols.containing(f.oldAddr);
        patched.set(s && s.address === f.oldAddr ? s.name : f.name ?? `0x${f.oldAddr.toString(16)}`, f.oldAddr);
      }
    }
    const names = o.functions?.length ? [...o.functions] : [...patched.keys()];
    const runs: FunctionRun[] = [];
    const plan = names.map((fn) => {
      const address = patched.get(fn) ?? image.symbols.address(fn);
      if (address === undefined) throw new DiffError(`no function ${fn} in ${image.name}`);
      const sig = signatureOf(fn, o);
      const listed = o.inputs?.listed.get(fn)?.(sig) ?? [];
      const inputs = [...listed, ...(o.inputs && !o.inputs.generate ? [] : generateInputs(fn, sig, o.count, o.seed))];
      if (!inputs.length) throw new InputError(`no inputs for ${fn}`);
      runs.push({ function: fn, address, signature: sig.map(formatArgType), inputs: inputs.length });
      return { fn, address, inputs };
    });
    ctx.use(o.domain);
    const area = new ArgumentArea(machine, plan.map((p) => signatureOf(p.fn, o)));

    const side = (): { obs: Observation[][]; fallbacks: number } => {
      const s = new RunSide(machine, ctx, area);
      const obs = plan.map((p) => p.inputs.map((input) => s.observe(p.address, input)));
      s.release();
      return { obs, fallbacks: s.fallbacks };
    };
    const before = side();
    for (const p of payloads) {
      const st = host.actionAndWait(p.name, 'APPLY', { nodeps: o.nodeps });
      if (st?.state !== 'APPLIED') throw new DiffError(`apply of ${p.name} failed: state ${st?.state ?? '?'}, rc ${st?.rc ?? '?'}`);
    }
    ctx.use(o.domain);
    const after = side();

    const divergences: Divergence[] = [];
    plan.forEach((p, i) => p.inputs.forEach((input, k) => {
      const old = before.obs[i]![k]!;
      const neu = after.obs[i]![k]!;
      const kind = classify(old, neu);
      if (!kind) return;
      const d: Divergence = { function: p.fn, kind, input, old, new: neu, rule: -1 };
      d.rule = o.expect?.match({ function: p.fn, kind, args: input.args, old, new: neu }) ?? -1;
      divergences.push(d);
    }));
    return {
      version: DIFF_REPORT_VERSION, image: o.image, buildId: image.buildIdHex, payloads, domain: o.domain, seed: o.seed,
      count: o.count, functions: runs, inputs: runs.reduce((n, r) => n + r.inputs, 0), divergences,
      unexpected: divergences.filter((d) => d.rule < 0).length, fullRestores: before.fallbacks + after.fallbacks,
    };
  } finally {
    booted.machine.close();
  }
}

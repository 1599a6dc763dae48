// `xlp diff`: the same inputs through the old code (payloads uploaded, not applied) and the new (applied),
// each input from the same start state, and every difference in what the code did.
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { type DomainKind, XenContext, XenContextError, layoutOf } from '../../emulator/xen/context/context.ts';
import type { XenImageView } from '../../emulator/xen/context/layout.ts';
import { bootImage } from '../../loader/boot.ts';
import { FunctionPrototypes } from '../../loader/dwarf/index.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { LivepatchHost } from '../../loader/livepatch/host.ts';
import { type DivergenceKind, classify } from './compare.ts';
import type { Expectations } from './expect.ts';
import { type Input, InputError, generateInputs } from './inputs.ts';
import type { InputsFile } from './inputs-file.ts';
import { ArgumentArea, type Observation, RunSide } from './run-side.ts';
import { type SignatureSource, type SignatureSources, findSignature } from './prototype.ts';
import { formatArgType } from './signature.ts';

/** 2: `domain` may be null (with `noContext`), functions carry `returns` and `signatureFrom`, string returns are texts. */
export const DIFF_REPORT_VERSION = 2;

export interface DiffOptions {
  image: string;
  /** Payload files, uploaded and applied in this order. */
  payloads: readonly string[];
  /** Functions to run (default: every function the payloads patch). */
  functions?: readonly string[];
  count: number;
  seed: number;
  /** Whose vCPU is current. Default: control, where the image has Xen's context; without one, none. */
  domain?: DomainKind;
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
  returns: string;
  /** Where the signature came from: the --inputs file, the image's DWARF, or xlp's table. */
  signatureFrom: SignatureSource;
  inputs: number;
}

export interface DiffResult {
  version: number;
  image: string;
  buildId: string;
  payloads: { name: string; file: string }[];
  /** Undefined when the image has no Xen context; `noContext` says why. */
  domain: DomainKind | undefined;
  noContext?: string;
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

/**
 * Xen's context for the chosen domain; with none chosen, control if the image can have a context, else none.
 * An image outside the layout table is searched by its instructions: initDisassembler() must have been awaited.
 */
function contextFor(image: XenImageView, domain: DomainKind | undefined): { ctx?: XenContext; domain?: DomainKind; noContext?: string } {
  try {
    return { ctx: XenContext.install(image, layoutOf(image, true)), domain: domain ?? 'control' };
  } catch (e) {
    if (!(e instanceof XenContextError)) throw e;
    if (domain) throw new DiffError(`--domain ${domain}: ${e.message}`);
    return { noContext: e.message };
  }
}

/** On an image outside Xen's layout table (Debian's 4.20) initDisassembler() must have been awaited first. */
export function runDiff(o: DiffOptions): DiffResult {
  const booted = bootImage(o.image);
  try {
    const { machine, image } = booted;
    const { ctx, domain, noContext } = contextFor(image, o.domain);
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
    let dwarf: FunctionPrototypes | undefined | null = null; // read once, and only if some function needs it
    const sources: SignatureSources = {
      image: o.image, inputs: o.inputs?.signatures, dwarf: () => (dwarf === null ? (dwarf = FunctionPrototypes.fromElf(image.elf)) : dwarf),
    };
    const plan = names.map((fn) => {
      const address = patched.get(fn) ?? image.symbols.address(fn);
      if (address === undefined) throw new DiffError(`no function ${fn} in ${image.name}`);
      const { signature: sig, source } = findSignature(fn, address, sources);
      const listed = o.inputs?.listed.get(fn)?.(sig) ?? [];
      const inputs = [...listed, ...(o.inputs && !o.inputs.generate ? [] : generateInputs(fn, sig, o.count, o.seed))];
      if (!inputs.length) throw new InputError(`no inputs for ${fn}`);
      runs.push({ function: fn, address, signature: sig.args.map(formatArgType), returns: formatArgType(sig.returns), signatureFrom: source, inputs: inputs.length });
      return { fn, address, sig, inputs };
    });
    if (domain) ctx?.use(domain);
    const area = new ArgumentArea(machine, plan.map((p) => p.sig));

    const side = (): { obs: Observation[][]; fallbacks: number } => {
      const s = new RunSide(machine, ctx, area);
      const obs = plan.map((p) => p.inputs.map((input) => s.observe(p.address, input, p.sig.returns)));
      s.release();
      return { obs, fallbacks: s.fallbacks };
    };
    const before = side();
    for (const p of payloads) {
      const st = host.actionAndWait(p.name, 'APPLY', { nodeps: o.nodeps });
      if (st?.state !== 'APPLIED') throw new DiffError(`apply of ${p.name} failed: state ${st?.state ?? '?'}, rc ${st?.rc ?? '?'}`);
    }
    if (domain) ctx?.use(domain);
    const after = side();

    const divergences: Divergence[] = [];
    plan.forEach((p, i) => p.inputs.forEach((input, k) => {
      const old = before.obs[i]![k]!;
      const neu = after.obs[i]![k]!;
      const kind = classify(old, neu, p.sig.returns);
      if (!kind) return;
      const d: Divergence = { function: p.fn, kind, input, old, new: neu, rule: -1 };
      d.rule = o.expect?.match({ function: p.fn, kind, args: input.args, old, new: neu }) ?? -1;
      divergences.push(d);
    }));
    return {
      version: DIFF_REPORT_VERSION, image: o.image, buildId: image.buildIdHex, payloads, domain, ...(noContext ? { noContext } : {}), seed: o.seed,
      count: o.count, functions: runs, inputs: runs.reduce((n, r) => n + r.inputs, 0), divergences,
      unexpected: divergences.filter((d) => d.rule < 0).length, fullRestores: before.fallbacks + after.fallbacks,
    };
  } finally {
    booted.machine.close();
  }
}

// One host prepared for exploring: booted, every payload uploaded once on its own to learn its facts and the
// original bytes it patches, then the root state (all payloads uploaded, unless they cannot be co-loaded).
import { readFileSync } from 'node:fs';
import { STACK_BASE } from '../../emulator/cpu/cpu.ts';
import { bootImage } from '../../loader/boot.ts';
import { LivepatchError } from '../../loader/livepatch/errno.ts';
import { type HostSnapshot, LivepatchHost } from '../../loader/livepatch/host.ts';
import type { Scenario, Step } from '../scenario/schema.ts';
import { type ExploreConfig, payloadName } from './config.ts';
import type { ModelContext, ModelState } from './model.ts';
import { type PayloadInfo, readPayloadInfo } from './payload-info.ts';
import { type ByteReader, expectedText, modelBytes } from './text.ts';

/** What each payload's trial upload (alone, on the freshly booted image) tells: plain data, for workers too. */
export interface SessionFacts {
  /** Facts of each payload that uploads alone (its addresses as if uploaded first). */
  info: PayloadInfo[];
  /** The original bytes at each old_addr in the image. */
  originals: { address: bigint; bytes: Uint8Array }[];
}

/** Enough bytes after old_addr for an ENDBR64, the longest NOP patch and any expectation. */
const ORIGINAL_SPAN = 40;

/** Guest variables that count what happened, not what is patched: reset so equal states hash equally. */
const HISTORY_COUNTERS = ['idle_loop_iterations', 'livepatch_work_checks'];

export class Session {
  readonly host: LivepatchHost;
  readonly names: string[];
  readonly files: ReadonlyMap<string, string>;
  /** Co-loading failed: uploads (and their failures) are explored like the actions. */
  readonly uploadsExplored: boolean;
  /** Why uploads are explored (the failed upload), for the summary. */
  readonly uploadNote: string | undefined;
  readonly depth: number;
  readonly scenario: Scenario;
  /** The root: every payload uploaded (or none), nothing applied. */
  readonly root: { snap: HostSnapshot; hash: string; model: ModelState; summary: string; steps: Step[] };
  /** What the trial uploads found (given by the caller when another session of the same config found it). */
  readonly facts: SessionFacts;
  private readonly infoCache = new Map<string, PayloadInfo>();
  private readonly counters: { address: bigint; value: Buffer }[] = [];
  private zeros: Uint8Array | undefined;

  constructor(readonly config: ExploreConfig, facts?: SessionFacts) {
    this.names = config.payloads.map(payloadName);
    const dup = this.names.find((n, i) => this.names.indexOf(n) !== i);
    if (dup) throw new Error(`two payload files are named ${dup}`);
    this.files = new Map(this.names.map((n, i) => [n, config.payloads[i]!]));
    this.host = new LivepatchHost(bootImage(config.image));
    this.scenario = { name: 'explore', image: config.image, steps: [] };
    try {
      const m = this.host.machine;
      for (const c of HISTORY_COUNTERS) {
        const a = this.host.image.symbols.address(c);
        if (a !== undefined) this.counters.push({ address: a, value: m.read(a, 8) });
      }
      const bytes = new Map(this.names.map((n) => [n, readFileSync(this.files.get(n)!)]));
      const pristine = this.host.snapshot();
      if (facts) this.facts = facts;
      else {
        this.facts = { info: [], originals: [] };
        for (const n of this.names) this.trial(n, bytes.get(n)!, pristine);
      }
      const { steps, failed } = this.uploadAll(bytes, pristine);
      this.uploadsExplored = failed !== undefined;
      this.uploadNote = failed;
      const n = this.names.length;
      this.depth = config.mode === 'orders' ? 2 * n : (config.depth ?? 2 * n + (failed ? n : 0));
      if (config.mode === 'orders' && failed) throw new Error(`--orders needs payloads that can be loaded together: ${failed}`);
      this.canonicalize();
      const snap = this.host.snapshot();
      this.root = { snap, hash: this.host.stateHash(), model: this.observe(), summary: this.summary(), steps };
    } catch (e) {
      this.host.machine.close();
      throw e;
    }
  }

  /** The root: every payload uploaded, in the order given; if one fails, none (uploads are then explored). */
  private uploadAll(bytes: ReadonlyMap<string, Buffer>, pristine: HostSnapshot): { steps: Step[]; failed?: string } {
    const steps: Step[] = [];
    for (const [i, n] of this.names.entries()) {
      try {
        this.host.upload(n, bytes.get(n)!);
        steps.push({ ...this.uploadStep(n), expect: { state: 'CHECKED', rc: 0 } });
      } catch (e) {
        if (!(e instanceof LivepatchError)) throw e;
        this.host.restore(pristine);
        return { steps: [], failed: `uploading ${n} after ${this.names.slice(0, i).join(', ') || 'nothing'} fails with ${e.errnoName}` };
      }
    }
    return { steps };
  }

  /** Upload alone (from the pristine boot state) to read the payload's facts and the bytes it would patch. */
  private trial(name: string, bytes: Buffer, pristine: HostSnapshot): void {
    try {
      this.host.upload(name, bytes);
    } catch (e) {
      if (e instanceof LivepatchError) return; // explored as an upload that fails
      throw e;
    }
    const info = readPayloadInfo(this.host, name);
    this.facts.info.push(info);
    for (const f of info.funcs) {
      if (f.oldAddr === 0n || this.host.payload(name).contains(f.oldAddr)) continue;
      const bytesAt = this.host.machine.peek(f.oldAddr, ORIGINAL_SPAN) ?? this.host.machine.peek(f.oldAddr, 5);
      if (bytesAt) this.facts.originals.push({ address: f.oldAddr, bytes: Uint8Array.from(bytesAt) });
    }
    this.host.restore(pristine);
  }

  uploadStep(name: string): Step {
    return { op: 'upload', target: name, file: this.files.get(name)!, expect: {}, index: 0 };
  }

  /** The image's bytes before any patch; undefined outside what the payloads patch. */
  readonly original: ByteReader = (address, length) => {
    const o = this.facts.originals.find((x) => address >= x.address && address + BigInt(length) <= x.address + BigInt(x.bytes.length));
    return o && o.bytes.subarray(Number(address - o.address), Number(address - o.address) + length);
  };

  /** Facts about a payload: as loaded now (addresses depend on where it went), else from its trial upload. */
  info(name: string): PayloadInfo | undefined {
    let p;
    try {
      p = this.host.payload(name);
    } catch {
      return this.facts.info.find((i) => i.name === name);
    }
    const key = `${name}@${p.prepared.base.toString(16)}`;
    let info = this.infoCache.get(key);
    if (!info) {
      info = readPayloadInfo(this.host, name);
      this.infoCache.set(key, info);
    }
    return info;
  }

  modelContext(): ModelContext {
    return {
      info: (n) => this.info(n),
      xenBuildId: Buffer.from(this.host.image.buildId).toString('hex'),
      nodeps: this.config.nodeps,
      bytes: (applied, address, length) => {
        const infos = applied.map((n) => this.info(n)).filter((i): i is PayloadInfo => i !== undefined);
        return modelBytes(expectedText(infos, infos, this.original), this.original, address, length);
      },
    };
  }

  /** The model's view of what the host holds now (after an operation whose result guest code decided). */
  observe(): ModelState {
    return {
      loaded: this.host.list().map((e) => ({ name: e.name, state: e.state, rc: e.rc, reverted: this.host.payload(e.name).reverted })),
      applied: this.host.appliedStack.map((p) => p.name),
    };
  }

  /** Everything of the loader's own state that stateHash covers and a page comparison does not. */
  summary(): string {
    const h = this.host;
    return JSON.stringify([this.observe(), h.pending ?? null, h.version]);
  }

  /**
   * Dead stack below the top-level frame and the idle-loop counters record how a state was reached, not
   * what it is; without clearing them no two sequences would ever reach the same state.
   */
  canonicalize(): void {
    const m = this.host.machine;
    this.zeros ??= new Uint8Array(Number(m.stackTop - STACK_BASE));
    m.write(STACK_BASE, this.zeros);
    for (const c of this.counters) m.write(c.address, c.value);
  }

  /** Back to a snapshot of this host. */
  restore(snap: HostSnapshot): void {
    this.host.restore(snap);
  }

  close(): void {
    this.host.machine.close();
  }
}

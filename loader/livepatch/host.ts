// The hypervisor side of XEN_SYSCTL_livepatch_op on an emulated host: UPLOAD, GET, LIST and ACTION with Xen
// 4.17's checks, errnos and asynchronous protocol. ACTION only schedules; the work runs when the guest reaches
// check_for_livepatch_work() (served from here), as Xen runs it from the idle loop with every CPU quiesced.
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import type { CallArg } from '../../emulator/cpu/arguments.ts';
import type { CallResult, MachineSnapshot } from '../../emulator/cpu/cpu.ts';
import type { Machine } from '../../emulator/xen/machine.ts';
import type { VirtualRegion } from '../../emulator/xen/regions.ts';
import { PAGE_SIZE as PAGE } from '../abi.ts';
import { type ArchOptions, type LivepatchArch, archFor } from '../arch/index.ts';
import type { BootedImage } from '../boot.ts';
import { type Image, isBuiltin } from '../image/index.ts';
import { ACTION, type ActionName, DEFAULT_ACTION_TIMEOUT_NS, type PayloadState } from './abi.ts';
import { checkDepends, checkExpectations, normaliseName } from './checks.ts';
import { Errno, LivepatchError, fail } from './errno.ts';
import { callIntHook, callVoidHook, hookFn } from './hooks.ts';
import { PageArea } from './page-area.ts';
import { Payload } from './payload.ts';
import { PayloadStruct } from './payload-struct.ts';
import { HostPanic, type Runtime, doAction, revertPayload, revertPayloadTail } from './transitions.ts';
import { type PreparedPayload, type UploadContext, preparePayload } from './upload/index.ts';
import { type LivepatchRules, livepatchRules, opFlagsRefusal } from './versions.ts';

export interface HostOptions extends ArchOptions {
  /** The architecture object to use instead of the one chosen for the image (loader/arch archFor). */
  arch?: LivepatchArch;
}

export interface ActionOptions {
  /** Rendezvous timeout in ns (0: Xen's 30 ms). One emulated CPU never waits for others. */
  timeoutNs?: number;
  /** LIVEPATCH_ACTION_APPLY_NODEPS: skip the build-id dependency check. */
  nodeps?: boolean;
  /** The op's flags (`pad` before 4.19; LIVEPATCH_FLAG_FORCE since): checked as the image's Xen version does. */
  flags?: number;
}

export interface PayloadStatus {
  state: PayloadState;
  rc: number;
}

export interface ListEntry extends PayloadStatus {
  name: string;
  /** .modinfo strings, empty ones included (Xen returns them NUL-separated). */
  metadata: string[];
}

/** Everything needed to put a host back exactly as it was, in this process. */
export interface HostSnapshot {
  readonly machine: MachineSnapshot;
  readonly payloads: readonly Payload[];
  readonly fields: readonly ReturnType<Payload['saveFields']>[];
  readonly applied: readonly Payload[];
  readonly regions: readonly VirtualRegion[];
  readonly area: [bigint, number][];
  readonly heap: [bigint, number][];
  readonly work: Work | undefined;
  readonly version: number;
}

/**
 * The loader's side of a host as plain data, to carry a host across processes with its guest memory
 * (cli/session): each payload's prepared form without its image bytes, which live in guest memory.
 */
export interface HostRecord {
  payloads: { prepared: Omit<PreparedPayload, 'image'>; struct: bigint; fields: ReturnType<Payload['saveFields']> }[];
  applied: string[];
  area: [bigint, number][];
  heap: [bigint, number][];
  work: { action: Work['action']; payload: string; timeoutNs: number } | undefined;
  version: number;
}

interface Work {
  action: Exclude<ActionName, 'UNLOAD'>;
  payload: Payload;
  timeoutNs: number;
}

/** The host stopped the way Xen would (panic, BUG in a hook): nothing more can be done with it. */
export class HostDead extends Error {
  constructor(readonly reason: Error) {
    super(`the hypervisor is dead: ${reason.message}`);
    this.name = 'HostDead';
  }
}

export class LivepatchHost {
  readonly machine: Machine;
  readonly image: Image;
  private readonly payloads: Payload[] = [];
  private readonly applied: Payload[] = [];
  private readonly area: PageArea;
  private readonly heap: PageArea;
  readonly arch: LivepatchArch;
  /** The generic rules of the image's Xen version (versions.ts). */
  readonly rules: LivepatchRules;
  private work: Work | undefined;
  private dead: Error | undefined;
  /** Bumped on every upload and unload (LIST's version). */
  version = 0;

  constructor(booted: BootedImage, opts: HostOptions = {}) {
    this.machine = booted.machine;
    this.image = booted.image;
    this.arch = opts.arch ?? archFor(this.image, opts);
    this.rules = livepatchRules(this.image.version);
    const { area, heap } = this.arch.windows;
    this.area = new PageArea(area.start, area.pages);
    this.heap = new PageArea(heap.start, heap.pages);
    this.serveCoreFunctions();
  }

  /** Xen's own live-patch functions that guest code calls, served from here (they act on our state). */
  private serveCoreFunctions(): void {
    const serve = (name: string, fn: (p: Payload) => bigint | void): void => {
      const at = this.image.symbols.address(name);
      if (at === undefined) return;
      this.machine.stub(at, name, (args) => {
        const p = this.payloads.find((x) => x.struct.address === args[0]);
        if (!p) throw new HostPanic(`${name}() called with 0x${args[0]!.toString(16)}, which is no struct payload`);
        return fn(p);
      });
    };
    const work = this.image.symbols.address('check_for_livepatch_work');
    if (work === undefined) throw new Error(`${this.image.name} has no check_for_livepatch_work(): not a Xen with LIVEPATCH=y`);
    this.machine.stub(work, 'check_for_livepatch_work', () => this.runPendingWork());
    serve('revert_payload', (p) => BigInt.asUintN(64, BigInt(revertPayload(this.runtime(), p))));
    serve('revert_payload_tail', (p) => revertPayloadTail(this.runtime(), p));
  }

  private runtime(): Runtime {
    return { machine: this.machine, arch: this.arch, rules: this.rules, applied: this.applied, log: (l) => this.machine.console.print(l) };
  }

  /** Why the host died (a panic, a fault in hypervisor context), or undefined while it lives. */
  get deathCause(): Error | undefined {
    return this.dead;
  }

  /** livepatch_op()'s first check, on every sub-op: the op's `flags` (`pad` before 4.19). */
  private checkOpFlags(flags = 0): void {
    const refused = opFlagsRefusal(this.rules, flags);
    if (refused) fail(Errno.EINVAL, refused);
  }

  private alive(): void {
    if (this.dead) throw new HostDead(this.dead);
  }

  /** A guest fault or panic in hypervisor context kills the host, as it would kill Xen. */
  private guard<T>(fn: () => T): T {
    this.alive();
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof LivepatchError)) this.dead = e as Error;
      throw e;
    }
  }

  private find(name: string): Payload {
    const n = normaliseName(name);
    const p = this.payloads.find((x) => x.name === n);
    if (!p) fail(Errno.ENOENT, `no payload named ${n}`);
    return p;
  }

  // ---- UPLOAD -------------------------------------------------------------------------------------------

  upload(name: string, bytes: Uint8Array, opts: { flags?: number } = {}): Payload {
    this.alive();
    this.checkOpFlags(opts.flags);
    const n = normaliseName(name);
    const reserved: bigint[] = [];
    const ctx: UploadContext = {
      lookupXenSymbol: (s) => this.image.symbols.address(s),
      lookupPayloadSymbol: (s) => {
        for (const p of this.payloads) {
          const a = p.newSymbols.get(s);
          if (a !== undefined) return a;
        }
        return undefined;
      },
      peek: (a, len) => this.machine.peek(a, len),
      xenBuildId: this.image.buildId,
      loadedNames: this.payloads.map((p) => p.name),
      loadedBuildIds: this.payloads.map((p) => p.buildId),
      reserve: (pages) => {
        const base = this.area.reserve(pages);
        reserved.push(base);
        return base;
      },
      arch: this.arch,
      rules: this.rules,
    };
    let prepared;
    try {
      prepared = preparePayload(n, bytes, ctx);
    } catch (e) {
      for (const b of reserved) this.area.release(b);
      throw e;
    }
    return this.commit(prepared, reserved);
  }

  /** Map and fill the payload's pages, set Xen's final permissions, register it: all or nothing. */
  private commit(prepared: ReturnType<typeof preparePayload>, reserved: bigint[]): Payload {
    const m = this.machine;
    const size = prepared.pages * PAGE;
    let mapped = false;
    let struct: PayloadStruct | undefined;
    try {
      m.map(prepared.base, size, 'rw');
      mapped = true;
      m.write(prepared.base, prepared.image);
      const textPages = Math.ceil(prepared.text.size / PAGE);
      const rwPages = Math.ceil(prepared.rw.size / PAGE);
      if (textPages) m.protect(prepared.text.address, textPages * PAGE, 'rx');
      const roPages = prepared.pages - textPages - rwPages;
      if (roPages > 0) m.protect(prepared.ro.address, roPages * PAGE, 'r');
      struct = new PayloadStruct(m, this.heap, prepared, this.rules.payload);
      const p = new Payload(prepared, struct, m);
      if (this.rules.regionFromUpload) m.regions.register(p.region); // 4.17.4+: from upload to unload
      this.payloads.push(p);
      this.version++;
      return p;
    } catch (e) {
      struct?.free();
      if (mapped) m.unmap(prepared.base, size);
      for (const b of reserved) this.area.release(b);
      throw e;
    }
  }

  // ---- GET / LIST ---------------------------------------------------------------------------------------

  get(name: string): PayloadStatus {
    this.alive();
    const p = this.find(name);
    return { state: p.state, rc: p.rc };
  }

  payload(name: string): Payload {
    return this.find(name);
  }

  list(): ListEntry[] {
    this.alive();
    return this.payloads.map((p) => ({
      name: p.name, state: p.state, rc: p.rc,
      // Every string, empty ones too: .modinfo ends with a NUL, so the last split piece is not one.
      metadata: p.prepared.metadata ? Buffer.from(p.prepared.metadata).toString('latin1').split('\0').slice(0, -1) : [],
    }));
  }

  get appliedStack(): readonly Payload[] {
    return this.applied;
  }

  // ---- ACTION -------------------------------------------------------------------------------------------

  /**
   * livepatch_action(): the synchronous checks; APPLY/REVERT/REPLACE then only schedule the work (payload rc
   * -EAGAIN until it ran). Returns like the hypercall: nothing, or a LivepatchError with Xen's errno.
   */
  action(name: string, action: ActionName | number, opts: ActionOptions = {}): void {
    this.guard(() => {
      this.checkOpFlags(opts.flags);
      // Xen's order: the name, -ENOENT, -EBUSY for pending work, and only then the command (-EOPNOTSUPP).
      const p = this.find(name);
      if (this.work?.payload === p) fail(Errno.EBUSY, `an action is already scheduled for ${p.name}`);
      const cmd = typeof action === 'number' ? actionName(action) : action;
      const timeoutNs = opts.timeoutNs || DEFAULT_ACTION_TIMEOUT_NS;
      switch (cmd) {
        case 'UNLOAD':
          if (p.state !== 'CHECKED') fail(Errno.EINVAL, `${p.name} is applied: revert it before unloading`);
          this.unload(p);
          return;
        case 'REVERT': {
          if (p.state !== 'APPLIED') return; // Xen: silently nothing
          if (this.applied[this.applied.length - 1] !== p) {
            fail(Errno.EBUSY, `${p.name} is not the top of the applied stack (${this.applied.at(-1)!.name} is)`);
          }
          this.preHook(p, 'preRevert');
          this.schedule(p, 'REVERT', timeoutNs);
          return;
        }
        case 'APPLY': {
          if (p.state !== 'CHECKED') return;
          if (p.reverted && !p.safeToReapply) {
            p.setRc(-Errno.EINVAL); // Xen: the hypercall succeeds; only the payload's rc tells
            return;
          }
          if (!opts.nodeps) checkDepends(p, this.image.buildId, this.applied.at(-1));
          checkExpectations(p, (a, n) => this.machine.read(a, n));
          this.preHook(p, 'preApply');
          this.schedule(p, 'APPLY', timeoutNs);
          return;
        }
        case 'REPLACE': {
          if (p.state !== 'CHECKED') return;
          checkDepends(p, this.image.buildId, undefined);
          const vetoing = [p, ...this.applied].find((x) =>
            (['preApply', 'postApply', 'preRevert', 'postRevert'] as const).some((h) => hookFn(x, h) !== undefined));
          if (vetoing) fail(Errno.EOPNOTSUPP, `REPLACE is not supported with pre/post hooks (${vetoing.name} has them)`);
          this.schedule(p, 'REPLACE', timeoutNs);
          return;
        }
      }
    });
  }

  /** A vetoing hook runs in the hypercall's context; a non-zero result is stored and returned. */
  private preHook(p: Payload, h: 'preApply' | 'preRevert'): void {
    const fn = hookFn(p, h);
    if (fn === undefined) return;
    const rc = callIntHook(this.machine, p, fn);
    if (rc !== 0) {
      p.setRc(rc);
      throw new LivepatchError(Math.abs(rc), `${p.name}: ${h === 'preApply' ? 'pre-apply' : 'pre-revert'} hook returned ${rc}`);
    }
  }

  private schedule(p: Payload, action: Work['action'], timeoutNs: number): void {
    // Xen sets rc = -EAGAIN before finding another action pending and leaves it stuck there; we check first.
    if (this.work) fail(Errno.EBUSY, `another action (${this.work.action} ${this.work.payload.name}) is pending`);
    p.setRc(-Errno.EAGAIN);
    this.work = { action, payload: p, timeoutNs };
  }

  private unload(p: Payload): void {
    const m = this.machine;
    m.regions.unregister(p.region);
    p.struct.free();
    m.unmap(p.prepared.base, p.prepared.pages * PAGE);
    this.area.release(p.prepared.base);
    this.payloads.splice(this.payloads.indexOf(p), 1);
    this.version++;
  }

  get pending(): { action: string; payload: string } | undefined {
    return this.work && { action: this.work.action, payload: this.work.payload.name };
  }

  // ---- the quiescent point --------------------------------------------------------------------------------

  /** Let the guest reach its idle loop once: pending work runs there. */
  idle(): void {
    this.guard(() => {
      const loop = this.image.symbols.address('idle_loop');
      if (loop !== undefined && isBuiltin(this.image)) this.machine.call(loop, [1]);
      else this.machine.call(this.image.symbol('check_for_livepatch_work'));
    });
  }

  /** check_for_livepatch_work(): do the scheduled action, then its post hook, then log the result. */
  private runPendingWork(): void {
    const w = this.work;
    if (!w) return;
    const rt = this.runtime();
    let rc: number;
    try {
      rc = doAction(rt, w.action, w.payload);
    } finally {
      this.work = undefined;
    }
    const post = w.action === 'APPLY' ? hookFn(w.payload, 'postApply') : w.action === 'REVERT' ? hookFn(w.payload, 'postRevert') : undefined;
    if (post !== undefined) callVoidHook(this.machine, w.payload, post);
    rt.log(`livepatch: ${w.payload.name} finished ${w.action} with rc=${rc}`);
  }

  /** Schedule, reach the quiescent point, and report the payload's rc as the result (what tools wait for). */
  actionAndWait(name: string, action: ActionName, opts: ActionOptions = {}): PayloadStatus | undefined {
    this.action(name, action, opts);
    if (action === 'UNLOAD') return undefined;
    this.idle();
    return this.get(name);
  }

  // ---- guest calls ----------------------------------------------------------------------------------------

  /** Call a function of the image (or of a payload, by its new symbol) with integer arguments; returns RAX. */
  call(symbol: string, args: (bigint | number)[] = []): bigint {
    this.alive();
    return this.machine.call(this.functionAddress(symbol), args);
  }

  /** call() with arguments that may be buffers in guest memory, read back after the call (emulator/cpu/arguments.ts). */
  callWith(symbol: string, args: readonly CallArg[]): CallResult {
    this.alive();
    return this.machine.callWith(this.functionAddress(symbol), args);
  }

  private functionAddress(symbol: string): bigint {
    const at = this.image.symbols.address(symbol) ?? this.payloads.map((p) => p.newSymbols.get(symbol)).find((a) => a !== undefined);
    if (at === undefined) throw new Error(`no symbol ${symbol} in ${this.image.name} or its payloads`);
    return at;
  }

  /** Call a function that returns a C string, and read it. */
  callString(symbol: string, args: (bigint | number)[] = []): string {
    return this.machine.readCString(this.call(symbol, args));
  }

  // ---- state ----------------------------------------------------------------------------------------------

  /** A snapshot of the machine and of the loader (payload objects are shared: only their fields change). */
  snapshot(): HostSnapshot {
    this.alive();
    return {
      machine: this.machine.snapshot(),
      payloads: [...this.payloads],
      fields: this.payloads.map((p) => p.saveFields()),
      applied: [...this.applied],
      regions: [...this.machine.regions.list()],
      area: this.area.entries(),
      heap: this.heap.entries(),
      work: this.work && { ...this.work },
      version: this.version,
    };
  }

  restore(s: HostSnapshot): void {
    this.machine.restore(s.machine);
    this.payloads.splice(0, this.payloads.length, ...s.payloads);
    s.payloads.forEach((p, i) => p.restoreFields(s.fields[i]!));
    this.applied.splice(0, this.applied.length, ...s.applied);
    this.machine.regions.reset(s.regions);
    this.area.restore(s.area);
    this.heap.restore(s.heap);
    this.work = s.work && { ...s.work };
    this.version = s.version;
    this.dead = undefined;
  }

  /** The loader's state as data (see HostRecord); the guest memory that goes with it is the machine's. */
  record(): HostRecord {
    return {
      payloads: this.payloads.map((p) => {
        const { image: _bytes, ...prepared } = p.prepared;
        return { prepared, struct: p.struct.address, fields: p.saveFields() };
      }),
      applied: this.applied.map((p) => p.name),
      area: this.area.entries(),
      heap: this.heap.entries(),
      work: this.work && { action: this.work.action, payload: this.work.payload.name, timeoutNs: this.work.timeoutNs },
      version: this.version,
    };
  }

  /**
   * Take over a recorded loader state on a fresh host whose machine already holds the recorded guest memory
   * (nothing is written to the guest): the inverse of record().
   */
  adopt(r: HostRecord): void {
    if (this.payloads.length) throw new Error('adopt() needs a host without payloads');
    for (const { prepared, struct, fields } of r.payloads) {
      const full: PreparedPayload = { ...prepared, image: Buffer.alloc(0) }; // the bytes are in guest memory
      const p = new Payload(full, new PayloadStruct(this.machine, this.heap, full, this.rules.payload, struct), this.machine);
      p.restoreFields(fields);
      if (this.rules.regionFromUpload) this.machine.regions.register(p.region);
      this.payloads.push(p);
    }
    const named = (n: string): Payload => {
      const p = this.payloads.find((x) => x.name === n);
      if (!p) throw new Error(`recorded state names no payload ${n}`);
      return p;
    };
    this.applied.push(...r.applied.map(named));
    if (!this.rules.regionFromUpload) for (const p of this.applied) this.machine.regions.register(p.region); // apply order
    this.area.restore(r.area);
    this.heap.restore(r.heap);
    this.work = r.work && { action: r.work.action, payload: named(r.work.payload), timeoutNs: r.work.timeoutNs };
    this.version = r.version;
  }

  /** A digest of everything a failed operation must leave unchanged: guest RAM (page tables included) and ours. */
  stateHash(): string {
    const [ram, ours] = this.stateParts();
    return crypto().createHash('sha256').update(ram).update(ours).digest('hex');
  }

  /**
   * CRC-32 of what stateHash covers: ~5× cheaper, enough to tell a host rebuilt from its saved pages from one
   * that differs by accident (a changed image or boot); not a state's identity (among many states, CRCs collide).
   */
  stateChecksum(): string {
    const [ram, ours] = this.stateParts();
    return crc32(ours, crc32(ram)).toString(16).padStart(8, '0');
  }

  private stateParts(): [Uint8Array, string] {
    const m = this.machine;
    return [
      m.memory.bytes.subarray(0, m.memory.highWater),
      JSON.stringify({
        payloads: this.payloads.map((p) => [p.name, p.state, p.rc, p.reverted, p.prepared.base.toString(16)]),
        applied: this.applied.map((p) => p.name),
        regions: m.regions.list().map((r) => r.name),
        area: this.area.entries().map(([b, n]) => [b.toString(16), n]),
        heap: this.heap.entries().map(([b, n]) => [b.toString(16), n]),
        work: this.pending ?? null,
        version: this.version,
      }),
    ];
  }

}

/** node:crypto on first use: loading it costs a short command (`xlp call`, `xlp list`) ~5 ms it never needs. */
let cryptoModule: typeof import('node:crypto') | undefined;
const crypto = (): typeof import('node:crypto') => (cryptoModule ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto'));

function actionName(cmd: number): ActionName {
  const e = Object.entries(ACTION).find(([, v]) => v === cmd);
  if (!e) fail(Errno.EOPNOTSUPP, `unknown action ${cmd}`);
  return e[0] as ActionName;
}

/** Convenience: a host on a freshly booted image. */
export function createHost(booted: BootedImage, opts?: HostOptions): LivepatchHost {
  return new LivepatchHost(booted, opts);
}

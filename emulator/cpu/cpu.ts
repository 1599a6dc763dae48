// A generic emulated x86-64 CPU in long mode with real 4-level page tables, running guest code in Unicorn:
// memory through the page tables, registers, SysV calls, host stubs, time limits and snapshots. It knows no
// operating system: a CPU exception taken in guest code is handed to handleTrap(), which an environment
// subclass overrides (as Qiling separates arch from os). No per-instruction hook runs in the normal path:
// stubs are code hooks limited to one address each.
import { ArgumentArea } from './argument-area.ts';
import type { CallArg } from './arguments.ts';
import { CpuContext } from './context.ts';
import { enablePaging } from './control.ts';
import { type BacktraceFrame, type FaultReport, GuestFault, GuestTimeout, MachineError, UnmappedAddress } from './errors.ts';
import { ExceptionState } from './exception-state.ts';
import { PageTables, type Perms, type Translation } from './paging.ts';
import { PAGE_SIZE, PhysicalMemory, pageRound } from './physical.ts';
import { ERROR_CODE_VECTORS, type Trap, type TrapOutcome } from './trap.ts';
import { HostMemory, REG, type RegName, Unicorn } from './unicorn.ts';
import { WatchdogSlot } from './watchdog.ts';

export { type Perms } from './paging.ts';

/**
 * Where the CPU keeps its own pages, far from guest code: the return sentinel page at +0, the call stack at
 * +0x10000, scratch memory from +0x100000. [+0x1000, +0x10000) is left to the environment.
 */
export const HOST_AREA = 0xffff810000000000n;
/**
 * Calls return into a page of int3 and `until` stops the run there. The page must be present, and the
 * sentinel must not be the page's first byte (Unicorn then touches the previous, unmapped page).
 */
const SENTINEL_PAGE = HOST_AREA;
export const RETURN_SENTINEL = SENTINEL_PAGE + 0x800n;
export const STACK_BASE = HOST_AREA + 0x10000n;
/** Host-owned guest memory for arguments and buffers (see scratch()). */
const SCRATCH_BASE = HOST_AREA + 0x100000n;

export const ARG_REGS = ['RDI', 'RSI', 'RDX', 'RCX', 'R8', 'R9'] as const;
const GPRS: RegName[] = ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'RSP', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15', 'RIP', 'RFLAGS'];

export type GuestValue = bigint | number;

export interface RunLimits {
  /** Wall-clock limit for one call (default 5000 ms). */
  timeoutMs?: number;
  /** Instruction limit for one call (0 = none). Counting costs speed in Unicorn, so it is off by default. */
  maxInstructions?: number;
}

export interface MachineOptions extends RunLimits {
  /** Guest-physical RAM (default 128 MiB, reserved lazily by the host). */
  ramSize?: number;
}

/** The call stack at STACK_BASE, as the environment wants it. */
export interface StackLayout {
  /** Bytes mapped; STACK_BASE is aligned to it (at most 0x10000). */
  size: number;
  /** Bytes at the top kept for the environment's per-CPU data: calls start below them. */
  reserve: number;
}

/** A function served from TypeScript: receives the SysV integer arguments, returns RAX. */
export type HostFunction<M extends Cpu = Cpu> = (args: bigint[], machine: M) => GuestValue | void;

/** A buffer argument after the call: where it was and what it holds then. */
export interface ArgumentBuffer {
  address: bigint;
  bytes: Buffer;
}

export interface CallResult {
  /** RAX. */
  value: bigint;
  /** For each argument that was a buffer, its bytes after the call. */
  buffers: (ArgumentBuffer | undefined)[];
}

export interface MachineSnapshot {
  readonly ram: Buffer;
  readonly alloc: ReturnType<PhysicalMemory['saveState']>;
  /** The whole CPU state (CpuContext). */
  readonly cpu: Buffer;
  readonly scratchNext: bigint;
}

interface StubEntry {
  name: string;
  hook: bigint;
}

interface CodeIndex {
  exec: Map<number, bigint[]>;
  tables: Set<number>;
}

type StopReason =
  | { kind: 'fault'; report: FaultReport }
  | { kind: 'host'; run: () => bigint };

export class Cpu {
  readonly uc: Unicorn;
  readonly memory: PhysicalMemory;
  readonly pages: PageTables;
  readonly limits: Required<RunLimits>;
  private readonly exceptions: ExceptionState;
  /** The defined state every top-level call starts from (see call()). */
  private readonly entry: CpuContext;
  /** Scratch context for snapshots. */
  private readonly saved: CpuContext;
  private readonly watchdog: WatchdogSlot;
  private readonly stubs = new Map<bigint, StubEntry>();
  /** Host-side translation cache, emptied on every page-table change. */
  private readonly tlb = new Map<bigint, Translation>();
  private stop: StopReason | undefined;
  private ignoreNextUd = false;
  private depth = 0;
  private scratchNext = SCRATCH_BASE;
  private returnSlotPhysical: number | undefined;
  private code: CodeIndex | undefined;
  /** Faults fixed up during the current top-level call (for reports and traces). */
  readonly fixups: { vector: number; rip: bigint; resume: bigint; note: string }[] = [];
  private closed = false;
  /** Has guest code run (so that Unicorn may hold translations to invalidate)? */
  private ran = false;
  /** RAM as markBaseline() found it, in memory of its own (freed by close()). */
  private baseline: { memory: HostMemory; length: number } | undefined;
  private readonly stack: StackLayout;
  private readonly argumentArea = new ArgumentArea(this);

  constructor(opts: MachineOptions = {}, stack: StackLayout = { size: 0x8000, reserve: 0 }) {
    if (stack.size > 0x10000 || STACK_BASE % BigInt(stack.size) !== 0n) throw new MachineError(`stack size 0x${stack.size.toString(16)} does not fit its place`);
    this.stack = stack;
    this.limits = { timeoutMs: opts.timeoutMs ?? 5000, maxInstructions: opts.maxInstructions ?? 0 };
    this.uc = new Unicorn();
    this.memory = new PhysicalMemory(opts.ramSize ?? 128 << 20);
    try {
      this.uc.memMapPtr(0n, this.memory.host);
      this.pages = new PageTables(this.memory);
      this.exceptions = new ExceptionState(this.uc);
      this.watchdog = new WatchdogSlot(this.uc.handle, () => this.uc.timedOut());
      enablePaging(this.uc, this.pages.root);
      this.pages.map(SENTINEL_PAGE, PAGE_SIZE, 'rx');
      this.fill(SENTINEL_PAGE, PAGE_SIZE, 0xcc);
      this.pages.map(STACK_BASE, stack.size, 'rw');
      this.uc.hookIntr((n) => this.onInterrupt(n));
      this.uc.hookInvalidInsn(() => this.onInvalidInstruction());
      this.saved = new CpuContext(this.uc);
      this.entry = new CpuContext(this.uc);
      this.setReg('RSP', this.stackTop - 8n); // every other register is zero after uc_open, RFLAGS 0x2
      this.entry.save();
    } catch (e) {
      this.uc.close();
      this.memory.release();
      throw e;
    }
  }

  /**
   * What printing a machine shows (vitest's diffs, JSON.stringify): walking into its native views and koffi
   * handles instead crashed the process with a segmentation fault.
   */
  toJSON(): string {
    return `[machine: ${this.memory.highWater >> 10} KiB of RAM in use${this.closed ? ', closed' : ''}]`;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.exceptions.free();
    this.entry.free();
    this.saved.free();
    this.watchdog.release();
    this.uc.close();
    this.memory.release();
    this.baseline?.memory.free();
  }

  // ---- memory -------------------------------------------------------------------------------------------

  map(va: bigint, size: number, perms: Perms): void {
    this.pages.map(va, size, perms);
    this.pageTablesChanged();
  }

  unmap(va: bigint, size: number): void {
    this.invalidateCode(va, size); // while still mapped: frames may come back as other code at this address
    this.pages.unmap(va, size);
    this.pageTablesChanged();
  }

  protect(va: bigint, size: number, perms: Perms): void {
    this.pages.protect(va, size, perms);
    this.pageTablesChanged();
    if (perms.includes('x')) this.invalidateCode(va, size);
  }

  /**
   * Drop cached translations of the executable pages in [va, va+size). Unicorn's full TB_FLUSH costs ~13 ms,
   * so we always remove just the pages concerned (by virtual address, through the current page tables).
   */
  private invalidateCode(va: bigint, size: number): void {
    const end = va + BigInt(size);
    let run: bigint | undefined;
    for (let p = va & ~0xfffn; ; p += 0x1000n) {
      const x = p < end && this.pageTranslation(p)?.executable === true;
      if (x) run ??= p;
      else if (run !== undefined) {
        this.uc.invalidateCode(run, p);
        run = undefined;
      }
      if (p >= end) return;
    }
  }

  /**
   * Drop the cached translations of every executable page (for a hook that must see all code from now on):
   * page by page through the index of executable frames, far cheaper than Unicorn's full TB_FLUSH.
   */
  invalidateAllCode(): void {
    for (const vas of this.codeIndex().exec.values()) for (const va of vas) this.uc.invalidateCode(va, va + 0x1000n);
  }

  private pageTablesChanged(): void {
    this.tlb.clear();
    this.code = undefined;
    this.uc.flushTlb();
  }

  translate(va: bigint): Translation | undefined {
    const t = this.pageTranslation(va & ~0xfffn);
    return t && { ...t, physical: t.physical + Number(va & 0xfffn) };
  }

  /** The cached translation of a page-aligned address (shared: never modify it). */
  private pageTranslation(page: bigint): Translation | undefined {
    let t = this.tlb.get(page);
    if (!t) {
      t = this.pages.translate(page);
      if (!t) return undefined;
      this.tlb.set(page, t);
    }
    return t;
  }

  /** Where the next scratch() allocation goes (saved with RAM: see restoreFrames()). */
  get scratchPointer(): bigint {
    return this.scratchNext;
  }

  /** Map `size` bytes (page-rounded) of fresh memory for host-made arguments (strings, out-parameters). */
  scratch(size: number, perms: Perms = 'rw'): bigint {
    const at = this.scratchNext;
    const bytes = pageRound(size);
    this.map(at, bytes, perms);
    this.scratchNext += BigInt(bytes + PAGE_SIZE); // unmapped guard page between allocations
    return at;
  }

  /** A NUL-terminated copy of `text` in scratch memory. */
  scratchString(text: string): bigint {
    const at = this.scratch(text.length + 1);
    this.write(at, Buffer.from(`${text}\0`, 'latin1'));
    return at;
  }

  isMapped(va: bigint): boolean {
    return this.pageTranslation(va & ~0xfffn) !== undefined;
  }

  /** Physical spans of [va, va+length); throws MachineError on an unmapped page. */
  private spans(va: bigint, length: number, fn: (physical: number, offset: number, n: number, executable: boolean) => void, write = false): void {
    // Pages that follow each other in physical memory too are handed over as one span (an image's segments
    // are mapped that way: one copy instead of one per page).
    let done = 0;
    let run: { physical: number; offset: number; n: number; executable: boolean } | undefined;
    let page = va & ~0xfffn;
    let inPage = Number(va & 0xfffn);
    while (done < length) {
      const t = this.pageTranslation(page);
      if (!t) throw new UnmappedAddress(done ? page : va, write);
      const n = Math.min(length - done, PAGE_SIZE - inPage);
      const physical = t.physical + inPage;
      if (run && run.physical + run.n === physical && run.executable === t.executable) run.n += n;
      else {
        if (run) fn(run.physical, run.offset, run.n, run.executable);
        run = { physical, offset: done, n, executable: t.executable };
      }
      done += n;
      page += 0x1000n;
      inPage = 0;
    }
    if (run) fn(run.physical, run.offset, run.n, run.executable);
  }

  read(va: bigint, length: number): Buffer {
    const out = Buffer.alloc(length);
    this.spans(va, length, (p, off, n) => this.memory.bytes.copy(out, off, p, p + n));
    return out;
  }

  /** Do these bytes stand at va now (false if any page is unmapped)? Compared in place, without a copy. */
  holds(va: bigint, bytes: Uint8Array): boolean {
    let same = true;
    try {
      this.spans(va, bytes.length, (p, off, n) => {
        same &&= this.memory.bytes.compare(bytes, off, off + n, p, p + n) === 0;
      });
    } catch {
      return false;
    }
    return same;
  }

  /** Bytes at va, or undefined if any page is unmapped (never throws). */
  peek(va: bigint, length: number): Buffer | undefined {
    try {
      return this.read(va, length);
    } catch {
      return undefined;
    }
  }

  /** Host writes ignore page permissions (e.g. code patching its own text) and drop stale translations. */
  write(va: bigint, data: Uint8Array): void {
    let code = false;
    if ((va & 0xfffn) + BigInt(data.length) > 0x1000n) this.spans(va, data.length, () => undefined, true); // all pages mapped first
    this.spans(va, data.length, (p, off, n, x) => {
      this.memory.bytes.set(data.subarray(off, off + n), p);
      code ||= x;
    }, true);
    if (code && data.length) this.uc.invalidateCode(va, va + BigInt(data.length));
  }

  fill(va: bigint, length: number, byte: number): void {
    this.write(va, Buffer.alloc(length, byte));
  }

  readU8(va: bigint): number {
    return this.read(va, 1)[0]!;
  }
  readU32(va: bigint): number {
    return this.read(va, 4).readUInt32LE(0);
  }
  readU64(va: bigint): bigint {
    const off = Number(va & 0xfffn);
    const t = off <= 0xff8 ? this.pageTranslation(va & ~0xfffn) : undefined;
    if (t) return this.memory.bytes.readBigUInt64LE(t.physical + off);
    return this.read(va, 8).readBigUInt64LE(0);
  }
  writeU32(va: bigint, v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.write(va, b);
  }
  writeU64(va: bigint, v: GuestValue): void {
    const off = Number(va & 0xfffn);
    const t = off <= 0xff8 ? this.pageTranslation(va & ~0xfffn) : undefined;
    if (t && !t.executable) {
      this.memory.bytes.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), t.physical + off); // fast path: stack, data
      return;
    }
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
    this.write(va, b);
  }

  readCString(va: bigint, max = 4096): string {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.readU8(va + BigInt(i));
      if (b === 0) return Buffer.from(bytes).toString('latin1');
      bytes.push(b);
    }
    throw new MachineError(`no NUL within ${max} bytes of 0x${va.toString(16)}`);
  }

  // ---- registers ----------------------------------------------------------------------------------------

  reg(name: RegName): bigint {
    return this.uc.regRead(REG[name]);
  }

  setReg(name: RegName, v: GuestValue): void {
    this.uc.regWrite(REG[name], BigInt(v));
  }

  registers(): Record<string, bigint> {
    const r: Record<string, bigint> = {};
    for (const n of GPRS) r[n] = this.reg(n);
    return r;
  }

  /** An address as the environment names it (plain hex here). */
  symbolize(address: bigint): string {
    return `0x${address.toString(16)}`;
  }

  // ---- calls --------------------------------------------------------------------------------------------

  /** Physical address of the top-level return slot: the stack is mapped once, at construction. */
  private get returnSlot(): number {
    return (this.returnSlotPhysical ??= this.translate(this.stackTop - 8n)!.physical);
  }

  /** Initial RSP: below the reserved top, so that RSP+8 is 16-aligned at the callee's entry (SysV). */
  get stackTop(): bigint {
    return STACK_BASE + BigInt(this.stack.size - this.stack.reserve);
  }

  /** One past the highest stack address. */
  get stackEnd(): bigint {
    return STACK_BASE + BigInt(this.stack.size);
  }

  /**
   * Call a guest function with SysV integer arguments; returns RAX. A top-level call starts from the defined
   * state taken at construction: every general register zero but RSP (stackTop - 8, holding the return
   * sentinel) and the arguments, RFLAGS 0x2, no exception in flight; control registers as enablePaging() sets
   * them. Nested calls (from host stubs or run_fn frames) continue with the interrupted frame's registers, on
   * its stack below it, and give them back afterwards (RAX excepted).
   */
  call(address: bigint, args: GuestValue[] = [], limits: RunLimits = {}): bigint {
    if (args.length > ARG_REGS.length) throw new MachineError(`at most ${ARG_REGS.length} arguments are supported`);
    const nested = this.depth > 0;
    const saved = nested ? this.saveRegisters() : undefined;
    if (nested) {
      const rsp = ((this.reg('RSP') - 256n) & ~0xfn) - 8n;
      this.writeU64(rsp, RETURN_SENTINEL);
      this.setReg('RSP', rsp);
    } else {
      this.memory.bytes.writeBigUInt64LE(RETURN_SENTINEL, this.returnSlot); // the hot path of every call
      this.entry.restore();
      this.fixups.length = 0;
    }
    args.forEach((a, i) => this.setReg(ARG_REGS[i]!, a));
    this.depth++;
    try {
      this.run(address, limits);
      return this.reg('RAX');
    } finally {
      this.depth--;
      if (saved) this.restoreRegisters(saved, ['RAX']);
    }
  }

  /**
   * call() with arguments that may be buffers in guest memory (see arguments.ts): each is placed in the
   * argument area for this call, its address passed in the argument's register, read back after the call and
   * unmapped. A fault propagates as from call(), the buffers unmapped all the same.
   */
  callWith(address: bigint, args: readonly CallArg[], limits: RunLimits = {}): CallResult {
    if (args.length > ARG_REGS.length) throw new MachineError(`at most ${ARG_REGS.length} arguments are supported`);
    const placed = this.argumentArea.place(args);
    try {
      const value = this.call(address, placed.values, limits);
      const buffers = placed.buffers.map((b) => b && { address: b.address, bytes: this.read(b.address, b.size) });
      return { value, buffers };
    } finally {
      this.argumentArea.release(placed);
    }
  }

  protected saveRegisters(): Map<RegName, bigint> {
    const m = new Map<RegName, bigint>();
    for (const n of GPRS) m.set(n, this.reg(n));
    return m;
  }

  protected restoreRegisters(m: Map<RegName, bigint>, except: RegName[] = []): void {
    for (const [n, v] of m) if (!except.includes(n)) this.setReg(n, v);
  }

  /**
   * Run until the call returns to the sentinel. The wall-clock limit is enforced by the watchdog (watchdog.ts); an
   * instruction limit uses Unicorn's count, which instruments every instruction, so only when asked for.
   */
  private run(begin: bigint, limits: RunLimits): void {
    const timeoutMs = limits.timeoutMs ?? this.limits.timeoutMs;
    const maxInsns = limits.maxInstructions ?? this.limits.maxInstructions;
    const deadline = Date.now() + timeoutMs;
    let pc = begin;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw this.timeout(`${timeoutMs} ms`);
      this.stop = undefined;
      const timeoutUs = this.watchdog.arm(left);
      this.ran = true;
      if (maxInsns) this.invalidateAllCode(); // cached translations were made without Unicorn's counting hook
      const rc = this.uc.emuStart(pc, RETURN_SENTINEL, timeoutUs, maxInsns);
      this.watchdog.disarm();
      const rip = this.reg('RIP');
      if (maxInsns) this.dropCountHook();
      const stop = this.stop as StopReason | undefined;
      this.stop = undefined;
      if (stop?.kind === 'fault') {
        this.exceptions.acknowledge(); // Unicorn may raise the fault again after the hook stopped it
        throw new GuestFault(stop.report);
      }
      if (stop?.kind === 'host') {
        pc = stop.run();
        continue;
      }
      if (rc !== 0) throw new GuestFault(this.report({ vector: -1, rip }, `emulation stopped: ${this.uc.errorText(rc)}`));
      if (rip === RETURN_SENTINEL) return;
      if (maxInsns && !this.watchdog.fired) throw this.timeout(`${maxInsns} instructions`);
      if (this.watchdog.fired && Date.now() >= deadline) throw this.timeout(`${timeoutMs} ms`);
      pc = rip; // a late stop meant for an earlier run: carry on
    }
  }

  /**
   * Unicorn keeps its counting hook after a counted run and translations made meanwhile call it: an empty
   * uncounted run removes it, and the flush drops the instrumented translations.
   */
  private dropCountHook(): void {
    const regs = this.saveRegisters();
    this.uc.emuStart(RETURN_SENTINEL, RETURN_SENTINEL, 0, 0);
    this.restoreRegisters(regs);
    this.invalidateAllCode();
  }

  private timeout(limit: string): GuestTimeout {
    const rip = this.reg('RIP');
    return new GuestTimeout(limit, rip, this.symbolize(rip));
  }

  // ---- host stubs ---------------------------------------------------------------------------------------

  /**
   * Serve the guest function at `address` from TypeScript. The code hook stops the CPU at the entry; the
   * run loop then calls `fn` outside Unicorn (so it may itself call guest code) and returns to the caller.
   */
  stub(address: bigint, name: string, fn: HostFunction<this>): () => void {
    if (this.stubs.has(address)) throw new MachineError(`0x${address.toString(16)} is already served by ${this.stubs.get(address)!.name}`);
    const hook = this.uc.hookCode(address, address, () => {
      const args = ARG_REGS.map((r) => this.reg(r));
      this.stopWith({
        kind: 'host',
        run: () => {
          const rsp = this.reg('RSP');
          const ret = this.readU64(rsp);
          const rv = this.asGuest(address, () => fn(args, this));
          if (rv !== undefined) this.setReg('RAX', rv);
          this.setReg('RSP', rsp + 8n);
          return ret;
        },
      });
    });
    this.stubs.set(address, { name, hook });
    this.invalidateCode(address, 1); // translations made before the hook existed would not call it
    return () => this.unstub(address);
  }

  unstub(address: bigint): void {
    const s = this.stubs.get(address);
    if (!s) return;
    this.uc.hookDel(s.hook);
    this.stubs.delete(address);
    this.invalidateCode(address, 1);
  }

  /**
   * Run host code that stands for guest code at `rip`: a guest address it finds unmapped is the #PF the
   * guest would take there (reported as the environment reports that fault), not a host error.
   */
  asGuest<T>(rip: bigint, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof UnmappedAddress)) throw e;
      const trap: Trap = { vector: 14, rip, cr2: e.address, errorCode: e.write ? 2 : 0 };
      const outcome = this.handleTrap(trap);
      throw new GuestFault(this.report(trap, outcome.kind === 'fatal' ? outcome.reason : `${e.message} (read by the host for the guest)`));
    }
  }

  private stopWith(reason: StopReason): void {
    this.stop = reason;
    this.uc.emuStop();
  }

  // ---- exceptions ---------------------------------------------------------------------------------------

  private onInterrupt(vector: number): void {
    const errorCode = this.exceptions.acknowledge();
    if (vector === 6 && this.ignoreNextUd) {
      // Unicorn 2.1.1 reports a ud2 a second time here after UC_HOOK_INSN_INVALID handled it.
      this.ignoreNextUd = false;
      return;
    }
    const rip = this.reg('RIP');
    const trap: Trap = { vector, rip };
    if (vector === 14) trap.cr2 = this.reg('CR2');
    if (ERROR_CODE_VECTORS.has(vector)) trap.errorCode = errorCode;
    this.dispatch(trap);
  }

  private onInvalidInstruction(): boolean {
    this.ignoreNextUd = true;
    this.dispatch({ vector: 6, rip: this.reg('RIP') });
    return true;
  }

  /** What the environment does with an exception; a bare CPU has no handler. */
  protected handleTrap(_trap: Trap): TrapOutcome {
    return { kind: 'fatal', reason: 'no exception handler' };
  }

  private dispatch(trap: Trap): void {
    let outcome: TrapOutcome;
    try {
      outcome = this.handleTrap(trap);
    } catch (e) {
      outcome = { kind: 'fatal', reason: `trap handler failed: ${(e as Error).message}` };
    }
    switch (outcome.kind) {
      case 'resume':
        this.fixups.push({ vector: trap.vector, rip: trap.rip, resume: outcome.rip, note: outcome.note });
        this.setReg('RIP', outcome.rip);
        return;
      case 'host':
        this.stopWith({ kind: 'host', run: outcome.run });
        return;
      case 'fatal':
        this.stopWith({ kind: 'fault', report: this.report(trap, outcome.reason) });
    }
  }

  protected report(trap: Trap, reason: string): FaultReport {
    const registers = this.registers();
    const r: FaultReport = {
      vector: trap.vector,
      rip: trap.rip,
      where: this.symbolize(trap.rip),
      reason,
      registers,
      backtrace: this.backtrace(trap.rip, registers.RSP!),
    };
    if (trap.cr2 !== undefined) r.cr2 = trap.cr2;
    if (trap.errorCode !== undefined) r.errorCode = trap.errorCode;
    return r;
  }

  /** The call chain at a fault, as far as the environment can tell (only the faulting frame here). */
  backtrace(rip: bigint, _rsp: bigint, _max = 16): BacktraceFrame[] {
    return [{ address: rip, symbol: this.symbolize(rip) }];
  }

  // ---- snapshots ----------------------------------------------------------------------------------------

  private cpuState(): Buffer {
    this.saved.save();
    return this.saved.copy();
  }

  snapshot(): MachineSnapshot {
    return {
      ram: Buffer.from(this.memory.bytes.subarray(0, this.memory.highWater)),
      alloc: this.memory.saveState(),
      cpu: this.cpuState(),
      scratchNext: this.scratchNext,
    };
  }

  /** Executable frames and the pages mapping them, and the page-table frames, for restore(). */
  private codeIndex(): CodeIndex {
    if (!this.code) {
      const code: CodeIndex = { exec: new Map(), tables: new Set() };
      this.pages.forEachMapping(
        (va, frame, x) => void (x && code.exec.set(frame, [...(code.exec.get(frame) ?? []), va])),
        (t) => code.tables.add(t),
      );
      this.code = code;
    }
    return this.code;
  }

  /**
   * Put RAM, allocator and the whole CPU state back as they were, whatever a faulting call left in flight.
   * Only frames whose bytes differ can hold stale translations, so only those that are executable in the
   * restored tables are invalidated; the index of executable frames is kept while no page-table frame changes
   * (the common case when exploring).
   */
  restore(s: MachineSnapshot): void {
    const hw = Math.max(this.memory.highWater, s.ram.length);
    this.memory.cover(hw);
    const ram = this.memory.bytes;
    const changed: number[] = [];
    for (let f = 0; f < hw; f += PAGE_SIZE) {
      if (f < s.ram.length && ram.compare(s.ram, f, f + PAGE_SIZE, f, f + PAGE_SIZE) === 0) continue;
      changed.push(f);
    }
    const tablesChanged = this.tablesAmong(changed);
    s.ram.copy(ram, 0);
    if (hw > s.ram.length) ram.fill(0, s.ram.length, hw);
    this.memory.restoreState(s.alloc);
    this.saved.restoreFrom(s.cpu); // the exception in flight and every hidden flag with the registers
    this.ignoreNextUd = false;
    this.stop = undefined;
    this.fixups.length = 0;
    this.scratchNext = s.scratchNext;
    this.framesChanged(changed, tablesChanged);
  }

  /**
   * Lay whole frames over RAM (`pages` holds their bytes in order) and take over an allocator state: a saved
   * host rebuilt over a fresh boot of its image, without copying the rest of RAM. The CPU state is kept.
   */
  restoreFrames(frames: readonly number[], pages: Uint8Array, alloc: MachineSnapshot['alloc'], scratchNext: bigint): void {
    if (pages.length !== frames.length * PAGE_SIZE) throw new MachineError(`${frames.length} frames need ${frames.length * PAGE_SIZE} bytes, not ${pages.length}`);
    for (const f of frames) if (f % PAGE_SIZE || f < 0 || f + PAGE_SIZE > this.memory.size) throw new MachineError(`frame 0x${f.toString(16)} is not a frame of guest RAM`);
    this.memory.cover(frames.reduce((end, f) => Math.max(end, f + PAGE_SIZE), alloc.next));
    const ram = this.memory.bytes;
    const changed: number[] = [];
    frames.forEach((f, i) => {
      const page = pages.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
      if (ram.compare(page, 0, PAGE_SIZE, f, f + PAGE_SIZE) !== 0) changed.push(f);
    });
    const tablesChanged = this.tablesAmong(changed);
    frames.forEach((f, i) => ram.set(pages.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), f));
    this.memory.restoreState(alloc);
    this.scratchNext = scratchNext;
    this.framesChanged(changed, tablesChanged);
  }

  /** Were any of these frames page-table frames (unknown tables count as changed)? */
  private tablesAmong(frames: readonly number[]): boolean {
    return !this.code || frames.some((f) => this.code!.tables.has(f));
  }

  /** Only frames whose bytes changed can hold stale translations: invalidate those executable in the new tables. */
  private framesChanged(changed: readonly number[], tablesChanged: boolean): void {
    if (tablesChanged) this.pageTablesChanged();
    if (!this.ran) return; // Unicorn has translated nothing yet
    const code = this.codeIndex();
    for (const f of changed) for (const va of code.exec.get(f) ?? []) this.uc.invalidateCode(va, va + 0x1000n);
  }

  /** Remember RAM as it is now: changedFrames() lists the frames that differ from it (save only what changed). */
  markBaseline(): void {
    const length = this.memory.highWater;
    this.baseline?.memory.free();
    this.baseline = undefined;
    const memory = HostMemory.allocate(Math.max(length, PAGE_SIZE));
    this.memory.bytes.copy(memory.buffer, 0, 0, length);
    this.baseline = { memory, length };
  }

  /** Frames below the high-water mark whose bytes differ from the baseline (zero above it), ascending. */
  changedFrames(): number[] {
    if (!this.baseline) throw new MachineError('changedFrames() needs markBaseline() first');
    const { memory, length } = this.baseline;
    const ram = this.memory.bytes;
    const out: number[] = [];
    for (let f = 0; f < this.memory.highWater; f += PAGE_SIZE) {
      const same = f < length ? ram.compare(memory.buffer, f, f + PAGE_SIZE, f, f + PAGE_SIZE) === 0 : isZero(ram, f);
      if (!same) out.push(f);
    }
    return out;
  }

}

const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);
const isZero = (b: Buffer, f: number): boolean => b.compare(ZERO_PAGE, 0, PAGE_SIZE, f, f + PAGE_SIZE) === 0;

// Traces for understanding: one guest call run with a per-instruction code hook. Only trace mode adds such a
// hook (the normal path never has one): it is added for the traced call and removed after. The hook only
// records (rip, bytes); disassembly, symbols and marks are worked out afterwards.
import { disassemble, initDisassembler } from '../cpu/disasm.ts';
import { type FaultReport, GuestFault, GuestTimeout } from '../cpu/errors.ts';
import { type GuestValue, HOST_AREA, RETURN_SENTINEL } from '../cpu/cpu.ts';
import type { Machine } from './machine.ts';

export const DEFAULT_MAX_STEPS = 10_000;
/** Unmapped host page: past --max, RIP is sent here so the fetch faults and every nested call unwinds at once. */
const STOP_AT = HOST_AREA + 0x8000n;
const MAX_INSN = 15;

export interface TraceOptions {
  /** Instructions to record before stopping the call (default 10000). */
  max?: number;
  /** Addresses where a payload wrote its jump (old_addr, +4 after ENDBR): an E9 executed there is a trampoline. */
  trampolines?: Iterable<bigint>;
  /** Also read the return value as a C string. */
  string?: boolean;
  /** Wall-clock limit of the call (the machine's default otherwise). */
  timeoutMs?: number;
}

export type ConsoleSeverity = 'warn' | 'bug' | 'info';

export type TraceMark =
  /** The jump a payload wrote at a patched function, taken. */
  | { kind: 'trampoline'; target: bigint; targetSymbol: string }
  /**
   * This instruction faulted and a handler (exception table, WARN, run_fn) resumed elsewhere. `registers`: the
   * general registers at the fault (RIP = the faulting instruction); `cr2` for a #PF.
   */
  | { kind: 'fault'; vector: number; resume: bigint; resumeSymbol: string; how: string; registers?: Record<string, bigint>; cr2?: bigint }
  /** Execution resumed here after the fault at `from`. */
  | { kind: 'fixup'; vector: number; from: bigint; fromSymbol: string }
  | { kind: 'console'; line: string; severity: ConsoleSeverity }
  /** This instruction faulted and nothing fixed it up: the call ends here. */
  | { kind: 'fatal'; vector: number; reason: string }
  | { kind: 'return'; value: bigint };

export interface TraceStep {
  address: bigint;
  /** The bytes executed (captured in the hook: code may change during the call). */
  bytes: Uint8Array;
  /** AT&T disassembly. */
  text: string;
  /** `symbol+0xoff` (`payload!symbol+0xoff` in a payload). */
  symbol: string;
  marks: TraceMark[];
}

export interface TraceResult {
  steps: TraceStep[];
  /** RAX, when the call returned. */
  returned?: bigint;
  /** The returned C string (with `string`; undefined for NULL). */
  string?: string;
  fault?: FaultReport;
  /** Why the call was stopped by the wall clock. */
  timeout?: string;
  /** True when `max` instructions were recorded and the call was stopped there. */
  truncated: boolean;
  max: number;
  /** Console lines printed during the call. */
  console: string[];
}

/** An instruction as executed at an address: shared by every step that ran these bytes there. */
interface Site {
  address: bigint;
  bytes: Uint8Array;
}

/**
 * What the hook records: per step only a reference to its Site and a number, so a million-step trace holds
 * about one pointer and one small integer per step, not an object and a copy of the bytes.
 */
interface Raw {
  sites: Site[];
  /** machine.fixups.length when each instruction started: ties each fixup to its instructions. */
  fixupsBefore: number[];
}

/** Registers read at the first instruction after a fixup: a fix-up only moves RIP, so they are the fault's. */
interface AtFault {
  registers: Record<string, bigint>;
  cr2: bigint;
}

export async function traceCall(machine: Machine, address: bigint, args: GuestValue[] = [], opts: TraceOptions = {}): Promise<TraceResult> {
  await initDisassembler();
  const max = opts.max ?? DEFAULT_MAX_STEPS;
  const raw: Raw = { sites: [], fixupsBefore: [] };
  /** The Site last seen at each address; code can change during the call, so it is checked before reuse. */
  const lastSite = new Map<bigint, Site>();
  const printed: { step: number; line: string }[] = [];
  const atFault: AtFault[] = [];
  let truncated = false;
  const uc = machine.uc;
  const hook = uc.hookCode(1n, 0n, (signed, size) => {
    const at = BigInt.asUintN(64, signed); // koffi hands uint64_t over as a signed value
    if (truncated) {
      if (at !== STOP_AT) machine.setReg('RIP', STOP_AT);
      return;
    }
    if (at === RETURN_SENTINEL) return;
    if (raw.sites.length >= max) {
      truncated = true;
      machine.setReg('RIP', STOP_AT);
      return;
    }
    // Unicorn reports a bogus size for some instructions it cannot size; the disassembler decides then.
    const n = size > 0 && size <= MAX_INSN ? size : MAX_INSN;
    let site = lastSite.get(at);
    if (!site || site.bytes.length !== n || !machine.holds(at, site.bytes)) {
      site = { address: at, bytes: machine.peek(at, n) ?? machine.peek(at, 1) ?? new Uint8Array() };
      lastSite.set(at, site);
    }
    const fixups = machine.fixups.length;
    // Only after a fault (rare): the registers the handler left, which are the faulting instruction's.
    while (atFault.length < fixups) atFault.push({ registers: machine.registers(), cr2: machine.reg('CR2') });
    raw.sites.push(site);
    raw.fixupsBefore.push(fixups);
  });
  const unlisten = machine.console.onLine((line) => printed.push({ step: raw.sites.length - 1, line }));
  machine.invalidateAllCode(); // translations made before the hook existed would not call it
  const result: TraceResult = { steps: [], truncated: false, max, console: [] };
  try {
    const rv = machine.call(address, args, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    result.returned = rv;
    if (opts.string && rv !== 0n) result.string = machine.readCString(rv);
  } catch (e) {
    if (!truncated) {
      if (e instanceof GuestFault) result.fault = e.report;
      else if (e instanceof GuestTimeout) result.timeout = e.message;
      else throw e;
    }
  } finally {
    unlisten();
    uc.hookDel(hook);
    machine.invalidateAllCode(); // and translations made with it would keep calling into Unicorn's hook list
  }
  result.truncated = truncated && result.returned === undefined;
  result.steps = annotate(machine, raw, opts);
  markFixups(machine, raw, result.steps, atFault);
  for (const p of printed) {
    result.console.push(p.line);
    result.steps[p.step]?.marks.push({ kind: 'console', line: p.line, severity: severity(p.line) });
  }
  const last = result.steps.at(-1);
  if (result.fault) {
    const at = findLast(result.steps, (s) => s.address === result.fault!.rip) ?? last;
    at?.marks.push({ kind: 'fatal', vector: result.fault.vector, reason: result.fault.reason });
  } else if (result.returned !== undefined) {
    last?.marks.push({ kind: 'return', value: result.returned });
  }
  return result;
}

/** What every step that ran a Site shares. */
interface Decoded {
  bytes: Uint8Array;
  text: string;
  symbol: string;
  trampoline?: TraceMark;
}

/** Disassemble and symbolise each step; each Site (the same code at the same address) is worked out once. */
function annotate(machine: Machine, raw: Raw, opts: TraceOptions): TraceStep[] {
  const sites = new Set(opts.trampolines ?? []);
  const decoded = new Map<Site, Decoded>();
  const symbols = new Map<bigint, string>();
  const symbolOf = (a: bigint): string => {
    let s = symbols.get(a);
    if (s === undefined) symbols.set(a, (s = machine.symbolize(a)));
    return s;
  };
  const decode = (r: Site): Decoded => {
    const insn = decodeOne(r.bytes, r.address);
    const d: Decoded = {
      bytes: r.bytes.subarray(0, insn ? insn.size : r.bytes.length), text: insn ? insn.text : '(bad)', symbol: symbolOf(r.address),
    };
    if (sites.has(r.address) && r.bytes[0] === 0xe9 && r.bytes.length >= 5) {
      const target = BigInt.asUintN(64, r.address + 5n + BigInt(Buffer.from(r.bytes).readInt32LE(1)));
      d.trampoline = { kind: 'trampoline', target, targetSymbol: symbolOf(target) };
    }
    return d;
  };
  return raw.sites.map((r) => {
    let d = decoded.get(r);
    if (!d) decoded.set(r, (d = decode(r)));
    return { address: r.address, bytes: d.bytes, text: d.text, symbol: d.symbol, marks: d.trampoline ? [{ ...d.trampoline }] : [] };
  });
}

/** Each fixup the machine recorded: its faulting instruction, and the first one run after it at `resume`. */
function markFixups(machine: Machine, raw: Raw, steps: TraceStep[], atFault: AtFault[]): void {
  const at = (i: number): bigint => raw.sites[i]!.address;
  machine.fixups.forEach((f, k) => {
    const from = findLastIndexOf(raw.sites.length, (i) => raw.fixupsBefore[i]! <= k && at(i) === f.rip);
    if (from < 0) return;
    const mark: TraceMark = { kind: 'fault', vector: f.vector, resume: f.resume, resumeSymbol: machine.symbolize(f.resume), how: f.note };
    const regs = atFault[k];
    if (regs) {
      mark.registers = { ...regs.registers, RIP: f.rip };
      if (f.vector === 14) mark.cr2 = regs.cr2;
    }
    steps[from]!.marks.push(mark);
    let to = -1;
    for (let i = from + 1; i < raw.sites.length && to < 0; i++) if (raw.fixupsBefore[i]! > k && at(i) === f.resume) to = i;
    if (to >= 0) steps[to]!.marks.push({ kind: 'fixup', vector: f.vector, from: f.rip, fromSymbol: steps[from]!.symbol });
  });
}

/** capstone-wasm throws instead of returning nothing for bytes it cannot decode. */
function decodeOne(bytes: Uint8Array, address: bigint): { text: string; size: number } | undefined {
  try {
    return disassemble(bytes, address, 1)[0];
  } catch {
    return undefined;
  }
}

function severity(line: string): ConsoleSeverity {
  if (/^Xen WARN\b/.test(line)) return 'warn';
  if (/^(Xen BUG\b|Assertion '.*' failed)/.test(line)) return 'bug';
  return 'info';
}

function findLastIndexOf(length: number, p: (i: number) => boolean): number {
  for (let i = length - 1; i >= 0; i--) if (p(i)) return i;
  return -1;
}

function findLast<T>(xs: readonly T[], p: (x: T) => boolean): T | undefined {
  const i = findLastIndexOf(xs.length, (k) => p(xs[k]!));
  return i < 0 ? undefined : xs[i];
}

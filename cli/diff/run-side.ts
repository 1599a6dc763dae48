// One side of a differential run (the host before apply, or after): argument buffers at fixed guest
// addresses, the chosen domain current (where the image has Xen's context), and a PageReset so each input
// starts from the same state. observe() runs one input and records what the code did: return value (and the
// string it points to, for a function returning one) or fault, console lines, the bytes of each argument
// buffer, and the bytes it changed in hypervisor memory.
import { HOST_AREA } from '../../emulator/cpu/cpu.ts';
import { type CallStop, MachineError, callStopOf } from '../../emulator/cpu/errors.ts';
import { PageReset } from '../../emulator/cpu/page-reset.ts';
import type { XenContext } from '../../emulator/xen/context/context.ts';
import type { Machine } from '../../emulator/xen/machine.ts';
import { type Input, UNMAPPED } from './inputs.ts';
import { MAX_BUFFER, type ReturnType, type Signature } from './signature.ts';

/** PV guest memory for argument buffers: the lower half, where Xen's copy_to_guest accepts pointers. */
export const GUEST_ARGS = 0x40000000n;
const SLOT = BigInt(MAX_BUFFER + 0x1000); // each buffer's pages, then an unmapped guard page
const CALL_TIMEOUT_MS = 2000;
const STACK_TOP_PAGES = 0x3000n;
/** The longest string a returned `char *` is read for (Xen's longest version strings are 1024 bytes). */
const MAX_STRING = 4096;

export type Fault = CallStop;

export interface DataWrite {
  address: bigint;
  where: string;
  bytes: Buffer;
}

export interface Observation {
  /** The argument registers as passed (buffers as their guest address). */
  registers: bigint[];
  returns?: bigint;
  /** For a function returning a C string: its text, or null when the pointer is NULL or unreadable. */
  text?: string | null;
  fault?: Fault;
  console: string[];
  /** Each buffer argument's pages after the call (undefined for integers and raw pointers). */
  buffers: (Buffer | undefined)[];
  /** Runs of bytes that differ from the start state, in hypervisor memory (not the stack, not guest memory). */
  data: DataWrite[];
}

export const slotAddress = (i: number): bigint => GUEST_ARGS + BigInt(i) * SLOT;
const slotPages = (size: number): number => Math.ceil(size / 0x1000) * 0x1000;

/** A buffer slot per argument position, as large as any function's buffer there, mapped before the snapshot. */
export class ArgumentArea {
  private readonly sizes: number[] = [];

  constructor(machine: Machine, signatures: readonly Signature[]) {
    for (const sig of signatures) {
      sig.args.forEach((t, i) => {
        if (t.kind === 'buffer') this.sizes[i] = Math.max(this.sizes[i] ?? 0, slotPages(t.size));
      });
    }
    this.sizes.forEach((size, i) => size && machine.map(slotAddress(i), size, 'rw'));
  }

  /** The mapped buffer slots. */
  ranges(): { va: bigint; size: number }[] {
    return this.sizes.flatMap((size, i) => (size ? [{ va: slotAddress(i), size }] : []));
  }

  /** Bytes mapped for argument i's buffer (whole pages). */
  size(i: number): number {
    return this.sizes[i] ?? 0;
  }

  /** The unmapped page after argument i's buffer. */
  guard(i: number): bigint {
    return slotAddress(i) + BigInt(this.sizes[i] ?? 0);
  }
}

const isHypervisorPage = (va: bigint): boolean => va >= 0xffff800000000000n && va >> 39n !== HOST_AREA >> 39n;

export class RunSide {
  private readonly reset: PageReset;
  private readonly heapNext: bigint | undefined;

  /** Without a context (an image xlp cannot make one for), calls run with no current vCPU and no host heap. */
  constructor(private readonly machine: Machine, private readonly ctx: XenContext | undefined, private readonly area: ArgumentArea) {
    this.heapNext = ctx && machine.readU64(ctx.heap.base);
    this.reset = new PageReset(machine, [
      ...(ctx ? [{ va: ctx.heap.base, size: 0x1000 }] : []),
      // the stack's top pages (struct cpu_info and the first frames) are written by every call; deeper ones
      // are watched like the rest
      { va: machine.stackEnd - STACK_TOP_PAGES, size: Number(STACK_TOP_PAGES) },
      ...area.ranges(),
    ]);
  }

  get fallbacks(): number {
    return this.reset.fallbacks;
  }

  /** Run `input` from the start state and leave the machine back in it. */
  observe(address: bigint, input: Input, returns?: ReturnType): Observation {
    const m = this.machine;
    const regs = input.args.map((a, i) => {
      if (a.kind === 'int') return a.value;
      if (a.kind === 'pointer') return a.value === UNMAPPED ? this.area.guard(i) : a.value;
      m.write(slotAddress(i), a.bytes);
      return slotAddress(i);
    });
    m.console.drain();
    const obs: Observation = { registers: regs, console: [], buffers: [], data: [] };
    try {
      obs.returns = m.call(address, regs, { timeoutMs: CALL_TIMEOUT_MS });
      if (returns?.kind === 'string') obs.text = this.stringAt(obs.returns);
    } catch (e) {
      const stop = callStopOf(e);
      if (!stop) throw e;
      obs.fault = stop;
    }
    obs.console = m.console.drain();
    obs.buffers = input.args.map((a, i) => (a.kind === 'buffer' ? this.bufferAfter(i, a.bytes) : undefined));
    for (const va of this.reset.written()) if (isHypervisorPage(va)) obs.data.push(...this.changes(va));
    this.reset.reset(this.ctx !== undefined && m.readU64(this.ctx.heap.base) !== this.heapNext);
    return obs;
  }

  private stringAt(va: bigint): string | null {
    if (va === 0n) return null;
    try {
      return this.machine.readCString(va, MAX_STRING);
    } catch (e) {
      if (e instanceof MachineError) return null; // unmapped, or no NUL within MAX_STRING: no string a caller could use
      throw e;
    }
  }

  /**
   * Argument i's slot after the call: the input's own bytes when nothing changed (most calls), so that
   * thousands of observations do not each hold a copy of the page.
   */
  private bufferAfter(i: number, input: Buffer): Buffer {
    const m = this.machine;
    const at = slotAddress(i);
    const size = this.area.size(i);
    const p = m.translate(at)!.physical;
    const ram = m.memory.bytes;
    const saved = this.reset.snapshot.ram;
    const same = ram.compare(input, 0, input.length, p, p + input.length) === 0 &&
      ram.compare(saved, p + input.length, p + size, p + input.length, p + size) === 0;
    return same ? input : m.read(at, size);
  }

  private changes(va: bigint): DataWrite[] {
    const now = this.machine.read(va, 0x1000);
    const t = this.machine.translate(va)!;
    const was = this.reset.snapshot.ram.subarray(t.physical, t.physical + 0x1000);
    const out: DataWrite[] = [];
    for (let i = 0; i < 0x1000; ) {
      if (now[i] === was[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < 0x1000 && now[j] !== was[j]) j++;
      const address = va + BigInt(i);
      out.push({ address, where: this.machine.symbolize(address), bytes: Buffer.from(now.subarray(i, j)) });
      i = j;
    }
    return out;
  }

  /** Back to the machine as it was before this side was made (every page-table dirty bit set again). */
  release(): void {
    this.reset.release();
  }
}

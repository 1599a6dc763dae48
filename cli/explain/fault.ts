// A fault a trace went through, explained: the vector, CR2, the registers, and which exception table fixed it
// (the payload's own, or Xen's) with the entry, read from the table's bytes in guest memory.
import { VECTOR_NAMES } from '../../emulator/cpu/errors.ts';
import type { TraceResult, TraceStep } from '../../emulator/xen/trace.ts';
import { EXTABLE_ENTRY_SIZE, decodeExceptionTable } from '../../loader/image/exception-table.ts';
import type { Image } from '../../loader/image/index.ts';
import type { LivepatchHost } from '../../loader/livepatch/host.ts';

export interface TableEntry {
  /** `payload`: the payload's own .ex_table; `xen`: the image's __ex_table. */
  owner: 'payload' | 'xen';
  /** The payload's name, or the image's. */
  name: string;
  tableAddress: bigint;
  entries: number;
  index: number;
  /** The entry's address and its 8 bytes: { s32 addr; s32 cont; }, each relative to itself. */
  address: bigint;
  bytes: Uint8Array;
  insn: bigint;
  fixup: bigint;
}

export interface FaultView {
  /** Index of the faulting instruction in the trace. */
  step: number;
  vector: number;
  vectorName: string;
  rip: bigint;
  symbol: string;
  instruction: string;
  /** WARN, run_fn, exception table. */
  how: string;
  resume: bigint;
  resumeSymbol: string;
  registers?: Record<string, bigint>;
  cr2?: bigint;
  table?: TableEntry;
}

/** Where exception tables are, for one machine: the image's, and each loaded payload's. */
export type TableFinder = (rip: bigint) => { owner: 'payload' | 'xen'; name: string; address: bigint; count: number } | undefined;

export function tableFinder(image: Image, host?: LivepatchHost): TableFinder {
  return (rip) => {
    const region = image.machine.regions.find(rip);
    if (!region) return undefined;
    if (region === image.region) {
      const start = image.symbols.address('__start___ex_table');
      return start === undefined ? undefined : { owner: 'xen', name: image.name, address: start, count: image.exceptionTable.length };
    }
    const p = host?.list().map((e) => host.payload(e.name)).find((x) => x.region === region);
    const t = p?.prepared.exTable;
    return p && t ? { owner: 'payload', name: p.name, address: t.address, count: t.entries.length } : undefined;
  };
}

/** The fixed-up faults of a trace, each with the table entry that matched (looked up in guest memory). */
export function faultViews(trace: TraceResult, image: Image, find: TableFinder): FaultView[] {
  const out: FaultView[] = [];
  trace.steps.forEach((s: TraceStep, i) => {
    for (const mk of s.marks) {
      if (mk.kind !== 'fault') continue;
      const v: FaultView = {
        step: i, vector: mk.vector, vectorName: VECTOR_NAMES[mk.vector] ?? `vector ${mk.vector}`, rip: s.address, symbol: s.symbol,
        instruction: s.text, how: mk.how, resume: mk.resume, resumeSymbol: mk.resumeSymbol,
      };
      if (mk.registers) v.registers = mk.registers;
      if (mk.cr2 !== undefined) v.cr2 = mk.cr2;
      if (mk.how === 'exception table') {
        const t = find(s.address);
        const entry = t && lookup(image, t, s.address);
        if (entry) v.table = entry;
      }
      out.push(v);
    }
  });
  return out;
}

function lookup(image: Image, t: NonNullable<ReturnType<TableFinder>>, rip: bigint): TableEntry | undefined {
  const bytes = image.machine.peek(t.address, t.count * EXTABLE_ENTRY_SIZE);
  if (!bytes) return undefined;
  const index = decodeExceptionTable(bytes, t.address).findIndex((e) => e.addr === rip);
  if (index < 0) return undefined;
  const at = index * EXTABLE_ENTRY_SIZE;
  const [e] = decodeExceptionTable(bytes.subarray(at, at + EXTABLE_ENTRY_SIZE), t.address + BigInt(at));
  return {
    owner: t.owner, name: t.name, tableAddress: t.address, entries: t.count, index,
    address: t.address + BigInt(at), bytes: Uint8Array.from(bytes.subarray(at, at + EXTABLE_ENTRY_SIZE)), insn: e!.addr, fixup: e!.cont,
  };
}

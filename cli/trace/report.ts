// A trace with its context, and the wording both renderers (text, HTML) share.
import { VECTOR_NAMES, formatFault } from '../../emulator/cpu/errors.ts';
import type { TraceMark, TraceResult, TraceStep } from '../../emulator/xen/trace.ts';
import { hex } from '../args.ts';
import { errnoOf } from '../explain/format.ts';
import type { PatchedFunction } from './patches.ts';

export interface TraceReport {
  /** Image label (builtin, debian, or the path). */
  image: string;
  symbol: string;
  args: bigint[];
  /** Payloads applied before the call, in order. */
  applied: string[];
  patched: PatchedFunction[];
  /** Whether the return value is shown as a C string. */
  string: boolean;
  trace: TraceResult;
}

export const vectorName = (v: number): string => VECTOR_NAMES[v] ?? `vector ${v}`;

/** `payload!fn+0x0` -> `payload!fn`: a jump target is a function entry. */
const entry = (symbol: string): string => symbol.replace(/\+0x0$/, '');

export function callText(r: TraceReport): string {
  return `${r.symbol}(${r.args.map(hex).join(', ')})`;
}

export function returnText(r: TraceReport): string {
  const v = r.trace.returned!;
  if (!r.string) {
    const signed = BigInt.asIntN(64, v);
    const name = errnoOf(signed);
    return `${hex(v)} (${signed}${name ? ` = ${name}` : ''})`;
  }
  return `${hex(v)} ${r.trace.string === undefined ? '(null)' : JSON.stringify(r.trace.string)}`;
}

export type StepMark = Exclude<TraceMark, { kind: 'console' }>;
export type ConsoleMark = Extract<TraceMark, { kind: 'console' }>;

export const stepMarks = (s: TraceStep): StepMark[] => s.marks.filter((m): m is StepMark => m.kind !== 'console');
export const consoleMarks = (s: TraceStep): ConsoleMark[] => s.marks.filter((m): m is ConsoleMark => m.kind === 'console');

/** One phrase per mark of `step`, except console lines (the renderers show those as output of their own). */
export function markText(m: StepMark, step: TraceStep, r: TraceReport): string {
  switch (m.kind) {
    case 'trampoline':
      return `→ trampoline to ${entry(m.targetSymbol)}`;
    case 'fault':
      return `${vectorName(m.vector)} at ${step.symbol} → fixup ${m.resumeSymbol} (${m.how})`;
    case 'fixup':
      return `← resumed here after the ${vectorName(m.vector)} at ${m.fromSymbol}`;
    case 'fatal':
      return `✗ ${vectorName(m.vector)}: ${m.reason}`;
    case 'return':
      return `returns ${returnText(r)}`;
  }
}

/** How the call ended, as the last lines of a trace. */
export function outcomeLines(r: TraceReport): string[] {
  const t = r.trace;
  if (t.truncated) {
    return [`trace stopped after ${t.max} instructions (--max ${t.max}): ${callText(r)} had not returned`];
  }
  if (t.fault) return `guest fault: ${formatFault(t.fault)}`.split('\n');
  if (t.timeout) return [`guest timeout: ${t.timeout}`];
  return [`${callText(r)} returned ${returnText(r)}`];
}

export function succeeded(r: TraceReport): boolean {
  return r.trace.returned !== undefined;
}

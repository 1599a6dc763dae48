// A trace as text: one line per executed instruction, marks at the end of the line, console output under the
// instruction that printed it, and how the call ended.
import type { TraceStep } from '../../emulator/xen/trace.ts';
import { type TraceReport, callText, consoleMarks, markText, outcomeLines, stepMarks } from './report.ts';

const MAX_SYMBOL_WIDTH = 48;

export const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString('hex').replace(/(..)(?!$)/g, '$1 ');

export function renderText(r: TraceReport): string[] {
  const steps = r.trace.steps;
  const applied = r.applied.length ? ` with ${r.applied.join(', ')} applied` : '';
  const lines = [`trace of ${callText(r)} on ${r.image}${applied}: ${steps.length} instruction${steps.length === 1 ? '' : 's'}`];
  const num = String(steps.length).length;
  const sym = Math.min(MAX_SYMBOL_WIDTH, Math.max(0, ...steps.map((s) => s.symbol.length)));
  const bytes = Math.max(0, ...steps.map((s) => hexBytes(s.bytes).length));
  const row = (s: TraceStep, i: number): string => {
    const marks = stepMarks(s).map((m) => markText(m, s, r));
    const cols = [
      String(i + 1).padStart(num), s.address.toString(16).padStart(16, '0'), s.symbol.padEnd(sym), hexBytes(s.bytes).padEnd(bytes),
      marks.length ? s.text.padEnd(32) : s.text,
    ];
    return [cols.join('  '), ...marks].join('  ').trimEnd();
  };
  steps.forEach((s, i) => {
    lines.push(row(s, i));
    for (const c of consoleMarks(s)) lines.push(`${' '.repeat(num)}  console: ${c.line}`);
  });
  lines.push(...outcomeLines(r));
  return lines;
}

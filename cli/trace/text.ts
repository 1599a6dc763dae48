// A trace as text: one line per executed instruction, marks at the end of the line, console output under the
// instruction that printed it, and how the call ended.
import type { TraceStep } from '../../emulator/xen/trace.ts';
import { immediateNotes, insnText } from '../explain/format.ts';
import { hexBytes } from '../args.ts';
import { type TraceReport, callText, consoleMarks, markText, outcomeLines, stepMarks } from './report.ts';

const MAX_SYMBOL_WIDTH = 48;


/** The lines one by one: a long trace is printed without holding all its text at once. */
export function* textLines(r: TraceReport): Generator<string> {
  const steps = r.trace.steps;
  const applied = r.applied.length ? ` with ${r.applied.join(', ')} applied` : '';
  yield `trace of ${callText(r)} on ${r.image}${applied}: ${steps.length} instruction${steps.length === 1 ? '' : 's'}`;
  const num = String(steps.length).length;
  // A loop, not Math.max(...array): a spread of a million-step trace overflows the call stack.
  let sym = 0;
  let bytes = 0;
  for (const s of steps) {
    sym = Math.max(sym, Math.min(MAX_SYMBOL_WIDTH, s.symbol.length));
    bytes = Math.max(bytes, s.bytes.length * 3 - 1);
  }
  const row = (s: TraceStep, i: number): string => {
    const text = insnText(s.text);
    const marks = [...immediateNotes(text), ...stepMarks(s).map((m) => markText(m, s, r))];
    const cols = [
      String(i + 1).padStart(num), s.address.toString(16).padStart(16, '0'), s.symbol.padEnd(sym), hexBytes(s.bytes).padEnd(bytes),
      marks.length ? text.padEnd(32) : text,
    ];
    return [cols.join('  '), ...marks].join('  ').trimEnd();
  };
  for (let i = 0; i < steps.length; i++) {
    yield row(steps[i]!, i);
    for (const c of consoleMarks(steps[i]!)) yield `${' '.repeat(num)}  console: ${c.line}`;
  }
  yield* outcomeLines(r);
}

// A trace as one self-contained HTML page (inline CSS, no scripts, nothing fetched): what a trampoline is, the
// executed instructions with the trampoline, faults and fixups highlighted, and the bytes each payload patched.
import type { Instruction } from '../../emulator/cpu/disasm.ts';
import type { TraceStep } from '../../emulator/xen/trace.ts';
import { hex, hexBytes } from '../args.ts';
import type { PatchedFunction } from './patches.ts';
import { type StepMark, type TraceReport, callText, consoleMarks, markText, outcomeLines, stepMarks, succeeded } from './report.ts';
import { immediateNotes, insnText } from '../explain/format.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.6em; } h3 { font-size: 1em; }
.intro { max-width: 60em; background: #f4f6fa; border-left: 4px solid #4a6fa5; padding: 0.6em 1em; }
table { border-collapse: collapse; font: 12.5px/1.35 ui-monospace, 'DejaVu Sans Mono', monospace; }
th, td { padding: 2px 8px; text-align: left; vertical-align: top; white-space: pre; }
th { background: #e8ebf0; position: sticky; top: 0; }
td .note { white-space: normal; margin-top: 2px; }
tr:nth-child(even) td { background: #fafafa; }
tr.trampoline td { background: #ffe9a8; font-weight: bold; }
tr.fault td { background: #ffd6d6; } tr.fixup td { background: #d8f5d8; } tr.fatal td { background: #ff9f9f; font-weight: bold; }
tr.console td { background: #eef3ff; color: #334; font-style: italic; } tr.console.warn td { background: #fff1d6; color: #7a4b00; }
tr.console.bug td { background: #ffd6d6; color: #8a0000; } tr.return td { background: #e3f0ff; }
.label { display: inline-block; padding: 0 6px; margin-right: 6px; border-radius: 3px; color: #fff; font-weight: bold; }
.label.trampoline { background: #b7791f; } .label.fault, .label.fatal { background: #c53030; } .label.fixup { background: #2f855a; }
.label.return { background: #2b6cb0; } .label.value { background: #6b46c1; }
.outcome { font-weight: bold; white-space: pre-wrap; font-family: ui-monospace, monospace; }
.outcome.failed { color: #a00; }
.patch { margin-bottom: 1.5em; } tr.patched td { background: #ffe9a8; }
`;

const INTRO =
  'A live patch replaces a function without rebooting: the payload brings a new version of the function, and ' +
  "Xen overwrites the first bytes of the old one (after an ENDBR64, if any) with a 5-byte jump to it (E9 rel32). " +
  'That jump is the trampoline: every caller still calls the old address and lands in the new code, and ' +
  'reverting the patch puts the saved original bytes back.';

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

export function renderHtml(r: TraceReport): string {
  const title = `xlp trace: ${callText(r)} on ${r.image}`;
  const applied = r.applied.length ? r.applied.map(escapeHtml).join(', ') : 'none';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="intro">${escapeHtml(INTRO)}</p>
<p>Payloads applied: ${applied}. ${count(r.trace.steps.length, 'instruction')} executed.</p>
<p class="outcome${succeeded(r) ? '' : ' failed'}">${escapeHtml(outcomeLines(r).join('\n'))}</p>
<h2>Executed instructions</h2>
<table class="steps">
<thead><tr><th>#</th><th>address</th><th>symbol</th><th>bytes</th><th>instruction and notes</th></tr></thead>
<tbody>
${r.trace.steps.map((s, i) => stepRows(s, i, r)).join('\n')}
</tbody>
</table>
${patchedSection(r.patched)}
</body>
</html>
`;
}

function stepRows(s: TraceStep, i: number, r: TraceReport): string {
  const marks = stepMarks(s);
  // The row takes the class of its first mark (kinds are trampoline, fault, fixup, fatal, return).
  const cls = marks.length ? ` class="${marks[0]!.kind}"` : '';
  // Notes go under the instruction (wrapping there) so the table stays as wide as the code.
  const notes = marks.map((m: StepMark) => `<div class="note"><span class="label ${m.kind}">${m.kind}</span>${escapeHtml(markText(m, s, r))}</div>`);
  const text = insnText(s.text);
  notes.push(...immediateNotes(text).map((n) => `<div class="note"><span class="label value">value</span>${escapeHtml(n)}</div>`));
  const cells = [String(i + 1), hex(s.address), s.symbol, hexBytes(s.bytes)].map((c) => `<td>${escapeHtml(c)}</td>`).join('');
  const rows = [`<tr${cls} id="step-${i + 1}">${cells}<td>${escapeHtml(text)}${notes.join('')}</td></tr>`];
  for (const c of consoleMarks(s)) {
    rows.push(`<tr class="console ${c.severity}"><td></td><td colspan="4">console: ${escapeHtml(c.line)}</td></tr>`);
  }
  return rows.join('\n');
}

function patchedSection(patched: PatchedFunction[]): string {
  if (!patched.length) return '<h2>Patched bytes</h2>\n<p>No payload is applied: the code runs as the image has it.</p>';
  return `<h2>Patched bytes</h2>\n${patched.map(patchTable).join('\n')}`;
}

function patchTable(f: PatchedFunction): string {
  const what = f.newSymbol ? `jump at ${hex(f.site)} to ${f.newSymbol}` : `NOPs at ${hex(f.site)}`;
  const original = f.original
    ? [hexBytes(f.original), listing(f.originalCode, f.original.length)]
    : ['(not in the image file)', ''];
  return `<div class="patch">
<h3>${escapeHtml(`${f.name} (${hex(f.oldAddr)}), patched by ${f.payload}: ${what}`)}</h3>
${f.newSymbol ? `<p>Only the jump's 5 bytes changed; the bytes after it are left as they were (possibly the tail of a cut instruction) and are not reached while the patch is applied.</p>\n` : ''}<table>
<thead><tr><th></th><th>bytes</th><th>disassembly</th></tr></thead>
<tbody>
<tr><td>original (image ELF)</td><td>${escapeHtml(original[0]!)}</td><td>${escapeHtml(original[1]!)}</td></tr>
<tr class="patched"><td>now in memory</td><td>${escapeHtml(hexBytes(f.current))}</td><td>${escapeHtml(listing(f.currentCode, f.current.length))}</td></tr>
</tbody>
</table>
</div>`;
}

/** One instruction per line; bytes the disassembler could not decode (a cut instruction) are named as such. */
function listing(code: Instruction[], length: number): string {
  const lines = code.map((x) => `${hex(x.address)}  ${insnText(x.text)}`);
  const decoded = code.reduce((n, x) => n + x.size, 0);
  if (decoded < length) lines.push(`(${length - decoded} more byte${length - decoded === 1 ? '' : 's'}: the rest of an instruction)`);
  return lines.join('\n');
}

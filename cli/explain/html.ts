// A story as one self-contained page: inline CSS, inline SVG, a few lines of inline script for the keyboard,
// nothing fetched. Each step is a section a student can step through (j/k, n/p, arrow keys).
import type { TraceStep } from '../../emulator/xen/trace.ts';
import { escapeHtml } from '../trace/html.ts';
import { consoleMarks } from '../trace/report.ts';
import { type Code, listingLines } from './code.ts';
import type { FaultView } from './fault.ts';
import { hex, hexBytes, immediateNotes, insnText, rcText, valueText } from './format.ts';
import { faultSentence, narrate, returnSentence } from './narrate.ts';
import type { CallView, SiteView, Story, StoryStep, TracedCall } from './story.ts';
import { memoryMapSvg, stateMachineSvg } from './svg.ts';

const e = escapeHtml;

const CSS = `
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fff; }
header, main { max-width: 1400px; margin: 0 auto; padding: 0 16px; }
h1 { font-size: 1.5em; margin: 0.8em 0 0.2em; } h2 { font-size: 1.2em; margin: 0 0 0.4em; } h3 { font-size: 1.02em; margin: 1em 0 0.3em; }
h4 { font-size: 0.95em; margin: 0.8em 0 0.3em; }
code, pre, .mono, td.code, td.bytes { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 12.5px; }
.intro { background: #f4f6fa; border-left: 4px solid #4a6fa5; padding: 0.6em 1em; }
.keys { color: #555; font-size: 0.9em; }
nav.toc ol { columns: 16em; font-size: 0.88em; padding-left: 2.2em; }
nav.toc .bad { color: #b00020; font-weight: bold; }
section.step { border: 1px solid #d8dbe2; border-radius: 8px; padding: 12px 16px; margin: 18px 0; scroll-margin-top: 8px; }
section.step.current { border: 2px solid #2b6cb0; box-shadow: 0 0 0 3px #cfe0f5; }
section.step.failed { border-color: #c53030; }
.verdict { font-size: 0.8em; padding: 1px 8px; border-radius: 10px; margin-left: 6px; vertical-align: middle; }
.verdict.ok { background: #d8f5d8; color: #1c5e2c; } .verdict.bad { background: #ffd6d6; color: #8a0000; }
.expect { color: #444; margin: 0.2em 0; }
ul.summary { margin: 0.4em 0; padding-left: 1.3em; } ul.summary li { margin: 0.2em 0; }
.row { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
.row > * { min-width: 0; }
figure.machine-fig { margin: 0; flex: 1 1 420px; max-width: 600px; }
svg.machine { width: 100%; height: auto; }
svg text { font: 13px system-ui, sans-serif; fill: #1d1d1f; }
svg .node rect { fill: #f4f6fa; stroke: #4a6fa5; stroke-width: 1.5; }
svg .node text { font-weight: bold; } svg .node text.member { font: 12px ui-monospace, monospace; fill: #2b4a75; font-weight: normal; }
svg .edge path { fill: none; stroke: #9aa4b2; stroke-width: 1.5; } svg .edge .head { fill: #9aa4b2; }
svg .edge.taken path { stroke: #2f855a; stroke-width: 4; } svg .edge.taken .head { fill: #2f855a; } svg .edge.taken text { fill: #1c5e2c; font-weight: bold; }
svg .edge.refused path { stroke: #c53030; stroke-width: 3; stroke-dasharray: 6 4; } svg .edge.refused .head { fill: #c53030; }
svg .edge.refused text { fill: #a00; font-weight: bold; }
svg .edge text.who { font: 11.5px ui-monospace, monospace; }
table { border-collapse: collapse; }
th, td { padding: 2px 8px; text-align: left; vertical-align: top; }
th { background: #e8ebf0; }
table.states td.changed { background: #fff1c2; font-weight: bold; }
.stack { margin: 0.4em 0; } .stack .top { font-weight: bold; }
pre.console { background: #101828; color: #e6edf5; padding: 8px 10px; border-radius: 6px; white-space: pre-wrap; margin: 0.3em 0; }
.scroll { overflow-x: auto; max-width: 100%; }
table.bytes td { border-top: 1px solid #eceef2; }
table.bytes td.code, table.bytes td.bytes { white-space: pre-wrap; }
table.bytes tr.now td { background: #ffe9a8; font-weight: bold; } table.bytes tr.original td { background: #f2f2f2; }
table.bytes tr.wroteback td { background: #d8f5d8; } table.bytes tr.saved td { background: #eef3ff; }
.traces { display: grid; grid-template-columns: 1fr; gap: 14px; }
@media (min-width: 1150px) { .traces.two { grid-template-columns: 1fr 1fr; } }
.trace h4 { margin-top: 0.2em; }
table.trace { width: 100%; }
table.trace { table-layout: fixed; }
table.trace col.n { width: 2.6em; } table.trace col.where { width: 34%; } table.trace col.bytes { width: 9.5em; }
table.trace td { white-space: pre-wrap; overflow-wrap: anywhere; border-top: 1px solid #f0f0f0; }
table.trace td.where { font-size: 11.5px; } table.trace td.where .addr { color: #667; display: block; }
table.trace tr.trampoline td { background: #ffe9a8; } table.trace tr.fault td { background: #ffd6d6; }
table.trace tr.fixup td { background: #d8f5d8; } table.trace tr.fatal td { background: #ff9f9f; } table.trace tr.return td { background: #e3f0ff; }
table.trace tr.con td { background: #eef3ff; font-style: italic; }
table.trace tr:target td { outline: 2px solid #2b6cb0; }
.note { white-space: normal; font-family: system-ui, sans-serif; font-size: 12.5px; margin-top: 2px; }
.label { display: inline-block; padding: 0 6px; margin-right: 6px; border-radius: 3px; color: #fff; font-weight: bold; font-size: 11.5px; }
.label.trampoline { background: #b7791f; } .label.fault, .label.fatal { background: #c53030; } .label.fixup { background: #2f855a; }
.label.return { background: #2b6cb0; } .label.value { background: #6b46c1; }
.fault-detail { border-left: 4px solid #c53030; background: #fff6f6; padding: 6px 12px; margin: 10px 0; }
.fault-detail .owner { font-weight: bold; }
div.regs { display: grid; grid-template-columns: repeat(auto-fill, minmax(17em, 1fr)); gap: 0 12px; font: 12px ui-monospace, monospace; }
div.regs b { display: inline-block; width: 3.5em; }
svg.map { width: 100%; max-width: 760px; height: auto; }
svg.map rect { stroke: #667; stroke-width: 1; }
svg .range.image-text rect { fill: #fde7c2; } svg .range.image-data rect { fill: #d9ecff; } svg .range.image-ro rect { fill: #eef0f3; }
svg .range.guard rect { fill: #fff; stroke-dasharray: 4 3; } svg .range.payload-text rect { fill: #ffd8a8; }
svg .range.payload-rw rect { fill: #c6e6ff; } svg .range.payload-ro rect { fill: #e6e8ee; }
svg text.addr, svg text.size { font: 11px ui-monospace, monospace; fill: #445; } svg text.gap { font-size: 11px; fill: #778; }
svg .jump path { fill: none; stroke: #b7791f; stroke-width: 2.5; } svg .jump .head { fill: #b7791f; }
svg .jump.stale path { stroke: #a0a0a0; stroke-dasharray: 5 4; stroke-width: 1.5; } svg .jump.stale .head { fill: #a0a0a0; }
ol.jumps { font-size: 0.9em; }
nav.stepnav { margin-top: 10px; font-size: 0.9em; display: flex; justify-content: space-between; }
a { color: #1f5fa8; }
`;

const INTRO =
  'A live patch replaces functions of a running hypervisor. Xen uploads the payload into pages of its own and checks it ' +
  '(state CHECKED); to apply it, Xen waits until every CPU is at a quiescent point, saves the first bytes of each old ' +
  'function in the payload and overwrites them with a 5-byte jump (E9 rel32, after an ENDBR64 if any) to the new code: the ' +
  'trampoline. A payload applied on top of another saves the jump below it; reverting writes the saved bytes back, so ' +
  'only the top of the applied stack may be reverted. Each step below shows the states, the bytes of every patched ' +
  'function, what the console printed, and for a call every instruction it ran next to the unpatched run.';

const KEYS = `(function () {
  var steps = Array.prototype.slice.call(document.querySelectorAll('section.step'));
  function current() { for (var i = 0; i < steps.length; i++) if ('#' + steps[i].id === location.hash) return i; return -1; }
  function go(i) {
    if (i < 0 || i >= steps.length) return;
    var c = document.querySelector('section.step.current');
    if (c) c.classList.remove('current');
    steps[i].classList.add('current');
    location.hash = steps[i].id;
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var k = ev.key, i = current();
    if (k === 'j' || k === 'n' || k === 'ArrowRight') { go(i + 1); ev.preventDefault(); }
    else if (k === 'k' || k === 'p' || k === 'ArrowLeft') { go(Math.max(0, i - 1)); ev.preventDefault(); }
  });
  if (current() >= 0) steps[current()].classList.add('current');
})();`;

export function renderStoryHtml(s: Story): string {
  const title = `xlp explain: ${s.name}`;
  const failed = s.steps.filter((x) => !x.ok).length;
  const toc = s.steps.map((x) =>
    `<li value="${x.index}"><a href="#step-${x.index}">${e(x.title)}</a>${x.ok ? '' : ' <span class="bad">✗</span>'}</li>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${e(title)}</h1>
<p class="meta">Image <b>${e(s.image)}</b> (build-id <code>${e(s.buildId)}</code>)${s.file ? `, scenario <code>${e(s.file)}</code>` : ''}: ${s.steps.length} step${s.steps.length === 1 ? '' : 's'} run, ${s.ok ? 'each as the scenario expects' : `<b>stopped: ${failed ? 'a step did not give what the scenario expects' : e(s.error ?? 'error')}</b>`}.</p>
<p class="intro">${e(INTRO)}</p>
<p class="keys">Keyboard: <kbd>j</kbd>, <kbd>n</kbd> or <kbd>→</kbd> next step; <kbd>k</kbd>, <kbd>p</kbd> or <kbd>←</kbd> previous step.</p>
<nav class="toc"><ol>${toc.join('')}</ol></nav>
${s.error ? `<p class="bad">Error: ${e(s.error)}</p>` : ''}
</header>
<main>
${s.steps.map((x, i) => stepSection(x, s.steps[i - 1], s.steps[i + 1])).join('\n')}
</main>
<script>${KEYS}</script>
</body>
</html>
`;
}

function stepSection(s: StoryStep, prev: StoryStep | undefined, next: StoryStep | undefined): string {
  const verdict = s.ok ? '<span class="verdict ok">as expected</span>' : '<span class="verdict bad">not as expected</span>';
  const expect = s.expectation.length ? `The scenario expects: ${s.expectation.join('; ')}.` : 'The scenario expects it to succeed.';
  return `<section class="step${s.ok ? '' : ' failed'}" id="step-${s.index}" data-op="${s.op}">
<h2>Step ${s.index}: <code>${e(s.title)}</code> ${verdict}</h2>
<p class="expect">${e(expect)}</p>
<ul class="summary">${narrate(s).map((l) => `<li>${e(l)}</li>`).join('')}</ul>
<div class="row">
<figure class="machine-fig">${stateMachineSvg(s.edges, s.after)}</figure>
<div>${statesTable(s)}${stackLine(s)}</div>
</div>
${s.outcome.console.length ? `<h3>Console (in order)</h3>\n<pre class="console">${e(s.outcome.console.join('\n'))}</pre>` : ''}
${sitesSection(s)}
${s.call ? callSection(s, s.call) : ''}
${mapSection(s)}
<nav class="stepnav">${prev ? `<a href="#step-${prev.index}">← step ${prev.index}</a>` : '<span></span>'}${next ? `<a href="#step-${next.index}">step ${next.index} →</a>` : '<span></span>'}</nav>
</section>`;
}

function statesTable(s: StoryStep): string {
  const names = [...new Set([...s.before.map((r) => r.name), ...s.after.map((r) => r.name)])];
  if (!names.length) return '<p class="states-empty">No payload is loaded, before or after this step.</p>';
  const rows = names.map((n) => {
    const b = s.before.find((r) => r.name === n);
    const a = s.after.find((r) => r.name === n);
    const changed = (b?.state ?? 'absent') !== (a?.state ?? 'absent') || b?.rc !== a?.rc;
    const cell = (r: typeof a): string => (r ? `${r.state}${r.rc ? `, rc ${rcText(r.rc)}` : ''}` : 'not loaded');
    return `<tr data-payload="${e(n)}"><td class="mono">${e(n)}</td><td>${e(cell(b))}</td><td${changed ? ' class="changed"' : ''}>${e(cell(a))}</td></tr>`;
  });
  return `<table class="states"><thead><tr><th>payload</th><th>before</th><th>after</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function stackLine(s: StoryStep): string {
  if (!s.stack.length) return '<p class="stack">Applied stack: empty (the text is the image\'s own).</p>';
  const items = s.stack.map((n, i) => (i === s.stack.length - 1 ? `<span class="top">${e(n)} (top)</span>` : e(n)));
  return `<p class="stack">Applied stack, bottom → top: ${items.join(' → ')}</p>`;
}

// ---- patched functions ---------------------------------------------------------------------------------------

function sitesSection(s: StoryStep): string {
  if (!s.sites.length) return '';
  return `<h3>Patched text</h3>\n${s.sites.map((x) => siteBlock(x)).join('\n')}`;
}

const codeRow = (cls: string, what: string, c: Code, attrs = ''): string =>
  `<tr class="${cls}"${attrs}><td>${e(what)}</td><td class="bytes">${e(hexBytes(c.bytes))}</td><td class="code">${e(listingLines(c).join('\n'))}</td></tr>`;

const liveText = (w: string): string => (w === 'original' ? 'the original code' : w === 'unknown' ? 'bytes no loaded payload wrote' : `${w}'s jump`);

function siteBlock(x: SiteView): string {
  const rows: string[] = [];
  if (x.original) rows.push(codeRow('original', 'original (image file)', x.original));
  for (const p of x.payloads) {
    const a = ` data-payload="${e(p.name)}"`;
    const state = p.state === 'absent' ? 'unloaded' : p.state;
    if (p.saved) rows.push(codeRow('saved', `${p.name} (${state}) saved ${p.savedFrom === 'original' ? '(the original code)' : `(${p.savedFrom}'s jump)`}`, p.saved, a));
    if (p.wroteBack) rows.push(codeRow('wroteback', `${p.name} wrote back on revert`, p.wroteBack, a));
    rows.push(codeRow('writes', `${p.name} (${state}) writes`, p.writes, a));
  }
  if (x.before && x.liveBefore !== x.live) rows.push(codeRow('before', `in memory before this step: ${liveText(x.liveBefore!)}`, x.before));
  rows.push(codeRow('now', `in memory now: ${liveText(x.live)}`, x.now, ` data-live="${e(x.live)}"`));
  const at = x.site === x.oldAddr ? `${hex(x.site)}` : `${hex(x.site)} (${hex(x.oldAddr)} + 4, after ENDBR64)`;
  return `<div class="site" data-function="${e(x.name)}">
<h4>${e(x.name)}: ${x.length} bytes at ${e(at)}</h4>
<div class="scroll"><table class="bytes"><thead><tr><th>whose bytes</th><th>bytes</th><th>disassembled</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>
</div>`;
}

// ---- a call ----------------------------------------------------------------------------------------------------

function callSection(s: StoryStep, c: CallView): string {
  const call = `${c.symbol}(${c.args.map(hex).join(', ')})`;
  const sides = [c.unpatched ? traceBlock(s, c, c.unpatched, 'u', `unpatched: the image as booted (${c.unpatched.trace.steps.length} instructions)`) : '',
    traceBlock(s, c, c.patched, 'p', `${s.stack.length ? `patched (${s.stack.join(', ')} applied)` : 'this host'}: ${c.patched.trace.steps.length} instructions`)];
  const faults = c.patched.faults.map(faultDetail).join('\n');
  return `<h3>Trace of ${e(call)}</h3>
<div class="traces${c.unpatched ? ' two' : ''}">${sides.filter(Boolean).join('\n')}</div>
${faults}`;
}

function traceBlock(s: StoryStep, c: CallView, t: TracedCall, side: 'u' | 'p', heading: string): string {
  const id = (i: number): string => `s${s.index}-${side}-${i + 1}`;
  const steps = t.trace.steps;
  const rows = steps.map((st, i) => traceRows(st, i, id, steps[i + 1], t, c)).join('\n');
  return `<div class="trace ${side === 'u' ? 'unpatched' : 'patched'}">
<h4>${e(heading)}</h4>
<table class="trace"><colgroup><col class="n"><col class="where"><col class="bytes"><col></colgroup><thead><tr><th>#</th><th>where</th><th>bytes</th><th>instruction</th></tr></thead><tbody>
${rows}
</tbody></table>
<p class="result mono">${e(returnSentence(c, t))}</p>
</div>`;
}

function traceRows(st: TraceStep, i: number, id: (i: number) => string, next: TraceStep | undefined, t: TracedCall, c: CallView): string {
  const notes: string[] = [];
  let cls = '';
  for (const m of st.marks) {
    switch (m.kind) {
      case 'trampoline':
        notes.push(`<span class="label trampoline">trampoline</span>the jump a payload wrote: to ${e(m.targetSymbol.replace(/\+0x0$/, ''))}`);
        break;
      case 'fault': {
        const f = t.faults.find((x) => x.step === i);
        notes.push(`<span class="label fault">${e(f?.vectorName ?? 'fault')}</span>${e(f ? faultSentence(f) : `resumed at ${m.resumeSymbol}`)}`);
        break;
      }
      case 'fixup':
        notes.push(`<span class="label fixup">fix-up</span>resumed here after the fault at ${e(m.fromSymbol)}`);
        break;
      case 'fatal':
        notes.push(`<span class="label fatal">fatal</span>${e(m.reason)}`);
        break;
      case 'return':
        notes.push(`<span class="label return">return</span>${e(returnSentence(c, t).replace(/^returned /, 'returns '))}`);
        break;
      case 'console':
        break;
    }
    if (!cls && m.kind !== 'console') cls = m.kind;
  }
  for (const n of immediateNotes(insnText(st.text))) notes.push(`<span class="label value">value</span>${e(n)}`);
  let text = e(insnText(st.text));
  // A direct jump or call links to the row it lands on.
  const target = /^(jmp|call)q? (0x[0-9a-f]+)$/.exec(st.text)?.[2];
  if (target && next && next.address === BigInt(target)) text = text.replace(target, `<a href="#${id(i + 1)}">${target}</a>`);
  const row = `<tr id="${id(i)}"${cls ? ` class="${cls}"` : ''}><td>${i + 1}</td><td class="where mono">${e(st.symbol)}<span class="addr">${hex(st.address)}</span></td>`
    + `<td class="bytes">${e(hexBytes(st.bytes))}</td><td class="code">${text}${notes.map((n) => `<div class="note">${n}</div>`).join('')}</td></tr>`;
  const con = consoleMarks(st).map((m) => `<tr class="con"><td></td><td colspan="3">console: ${e(m.line)}</td></tr>`);
  return [row, ...con].join('\n');
}

const NON_CANONICAL = (v: bigint): boolean => {
  const top = v >> 47n;
  return top !== 0n && top !== 0x1ffffn;
};

function faultDetail(f: FaultView): string {
  const lines: string[] = [];
  const base = /\(%(\w+)/.exec(f.instruction)?.[1]?.toUpperCase();
  const addr = base === undefined ? undefined : f.registers?.[base];
  if (f.vector === 14) {
    lines.push(f.cr2 !== undefined ? `CR2 = ${hex(f.cr2)}: the address the access faulted on (a #PF writes it to CR2).` : 'CR2 was not read.');
  } else if (f.vector === 13) {
    const why = addr !== undefined && NON_CANONICAL(addr)
      ? `${base} = ${hex(addr)} is not a canonical address (bits 63–47 are not all equal), so the CPU raises #GP, not #PF. `
      : '';
    lines.push(`${why}CR2: not written (only a #PF sets CR2).`);
  }
  if (f.table) {
    const t = f.table;
    const owner = t.owner === 'payload' ? `${t.name}'s own .ex_table (the payload's, not Xen's)` : `Xen's own .ex_table (${t.name})`;
    lines.push(`<span class="owner" data-owner="${t.owner}" data-table="${e(t.name)}">Fixed by ${e(owner)}</span>: Xen looks the faulting RIP up in the exception table of the region that holds it. Entry #${t.index} of ${t.entries} at ${hex(t.address)}, bytes <code>${e(hexBytes(t.bytes))}</code> ({ s32 insn; s32 fixup; }, each relative to itself): insn ${hex(t.insn)} (${e(f.symbol)}) → fixup ${hex(t.fixup)} (${e(f.resumeSymbol)}).`);
  }
  const cells = Object.entries(f.registers ?? {}).map(([k, v]) => `<span><b>${k.toLowerCase()}</b>${e(valueText(v))}</span>`);
  return `<div class="fault-detail" data-vector="${f.vector}">
<h4>${e(f.vectorName)} (vector ${f.vector}) at ${e(f.symbol)}: <code>${e(insnText(f.instruction))}</code></h4>
${lines.map((l) => `<p>${l.startsWith('<span') ? l : e(l)}</p>`).join('\n')}
<p>The fix-up code resumes at ${e(f.resumeSymbol)} (${hex(f.resume)}).</p>
${cells.length ? `<p>Registers at the fault:</p>\n<div class="regs">${cells.join('')}</div>` : ''}
</div>`;
}

// ---- memory map -------------------------------------------------------------------------------------------------

function mapSection(s: StoryStep): string {
  if (s.sameMapAs !== undefined && s.sameMapAs !== s.index) {
    return `<p class="map-ref">Memory map: as drawn at <a href="#step-${s.sameMapAs}">step ${s.sameMapAs}</a>.</p>`;
  }
  const jumps = s.map.jumps.map((j) =>
    `<li>${e(`${j.fromSymbol} (${hex(j.from)}) → ${j.toSymbol} (${hex(j.to)}), ${j.payload}'s jump${j.live ? '' : ': overwritten by the payload above (its bytes are in that payload\'s saved state)'}`)}</li>`);
  return `<h3>Memory map (not to scale)</h3>
<div class="scroll">${memoryMapSvg(s.map)}</div>
${jumps.length ? `<ol class="jumps">${jumps.join('')}</ol>` : ''}`;
}


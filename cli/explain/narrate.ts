// What happened at a step, in sentences a student reads first (the page and `make demo` both print them).
import { Errno } from '../../loader/livepatch/errno.ts';
import { hex, hexBytes, valueText } from './format.ts';
import { sameBytes } from './code.ts';
import type { FaultView } from './fault.ts';
import type { CallView, EdgeUse, SiteView, StoryStep, TracedCall } from './story.ts';

const whose = (w: string | undefined): string =>
  w === 'original' ? 'the original code' : w === 'unknown' || w === undefined ? 'bytes no loaded payload wrote' : `${w}'s jump`;

export function errnoText(name: string): string {
  const n = (Errno as Record<string, number>)[name];
  return n === undefined ? name : `-${name} (-${n})`;
}

export function narrate(s: StoryStep): string[] {
  const out: string[] = [];
  for (const e of s.edges) out.push(edgeSentence(e, s));
  if (s.op === 'list') {
    out.push(s.after.length ? `Loaded: ${s.after.map((r) => `${r.name} ${r.state}${r.rc ? ` rc ${r.rc}` : ''}`).join(', ')}.` : 'Nothing is loaded.');
  }
  if (s.call) out.push(...callSentences(s.call));
  else if (s.outcome.fault) out.push(`The call faulted: ${s.outcome.message ?? s.outcome.fault.reason}.`);
  if (!s.ok) out.push(`Not what the scenario expects: ${s.mismatches.join('; ')}.`);
  return out;
}

function edgeSentence(e: EdgeUse, s: StoryStep): string {
  if (!e.taken) {
    const why = e.errno === 'no change' ? 'Xen does nothing (it is not in a state this action applies to)' : `refused with ${errnoText(e.errno!)}`;
    const msg = s.outcome.message ? `: ${s.outcome.message.replace(/^-E[A-Z0-9]+: /, '')}` : '';
    return `${e.edge} ${e.payload}: ${why}${msg}. Nothing changed.`;
  }
  const mine = s.sites.flatMap((site) => site.payloads.filter((p) => p.name === e.payload).map((p) => ({ site, p })));
  switch (e.edge) {
    case 'upload':
      return `${e.payload} uploaded: Xen checked the ELF and placed it in pages of its own (after an unmapped guard page); state CHECKED. The running code is not touched.`;
    case 'apply':
    case 'replace': {
      const head = e.edge === 'replace'
        ? `${e.payload} replaces the whole applied stack (each applied payload is reverted first, newest first), then applies`
        : `${e.payload} applied at the quiescent point`;
      const sites = mine.filter((x) => x.p.appliedNow).map(({ site, p }) =>
        `at ${site.name} (${hex(site.site)}) it saved ${hexBytes(p.saved!.bytes)} (${whose(p.savedFrom)}) and wrote ${hexBytes(p.writes.bytes)}${p.target ? `, a jump to ${p.target}` : ' (NOPs)'}`);
      return `${head}${sites.length ? `: ${sites.join('; ')}` : ''}. State APPLIED.`;
    }
    case 'revert': {
      const sites = mine.filter((x) => x.p.wroteBack).map(({ site, p }) =>
        `wrote back ${hexBytes(p.wroteBack!.bytes)} at ${site.name}${backTo(site, p.wroteBack!.bytes)}`);
      return `${e.payload} reverted${sites.length ? `: ${sites.join('; ')}` : ''}. State CHECKED.`;
    }
    case 'unload':
      return `${e.payload} unloaded: its pages are unmapped and freed.`;
  }
}

function backTo(site: SiteView, bytes: Uint8Array): string {
  const w = site.payloads.find((p) => sameBytes(p.writes.bytes, bytes))?.name;
  if (w) return ` (the bytes it had saved: ${w}'s jump)`;
  if (sameBytes(site.original?.bytes, bytes)) return ' (the original code)';
  return '';
}

export function faultSentence(f: FaultView): string {
  const head = `${f.vectorName} (vector ${f.vector}) at ${f.symbol}: ${f.instruction}`;
  if (f.how !== 'exception table') return `${head}, handled as ${f.how}, resumed at ${f.resumeSymbol}`;
  const t = f.table;
  if (!t) return `${head}, fixed up at ${f.resumeSymbol}`;
  const owner = t.owner === 'payload' ? `${t.name}'s own .ex_table (the payload's, not Xen's)` : `Xen's .ex_table (${t.name})`;
  return `${head}, fixed by ${owner}, entry #${t.index} (${hex(t.insn)} → ${hex(t.fixup)}), resumed at ${f.resumeSymbol}`;
}

export function returnSentence(c: CallView, t: TracedCall): string {
  const tr = t.trace;
  if (tr.returned === undefined) return tr.fault ? `faulted: ${tr.fault.reason}` : `stopped (${tr.timeout ?? `after ${tr.max} instructions`})`;
  if (c.string) return `returned ${hex(tr.returned)} ${tr.string === undefined ? '(NULL)' : JSON.stringify(tr.string)}`;
  return `returned ${valueText(tr.returned)}`;
}

function callSentences(c: CallView): string[] {
  const t = c.patched.trace;
  const out: string[] = [];
  const jumps = t.steps.flatMap((s) => s.marks.filter((m) => m.kind === 'trampoline').map((m) => `${s.symbol} → ${m.kind === 'trampoline' ? m.targetSymbol.replace(/\+0x0$/, '') : ''}`));
  const call = `${c.symbol}(${c.args.map(hex).join(', ')})`;
  out.push(`${call} ran ${t.steps.length} instructions${jumps.length ? `, through the trampoline ${jumps.join(', ')}` : ' (no trampoline on its path)'}, and ${returnSentence(c, c.patched)}.`);
  for (const f of c.patched.faults) out.push(`${faultSentence(f)}.`);
  if (c.unpatched) out.push(`Unpatched, the image's own code ran ${c.unpatched.trace.steps.length} instructions and ${returnSentence(c, c.unpatched)}.`);
  return out;
}

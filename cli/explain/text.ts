// A story in the terminal (`xlp explain`, `make demo`): per step what happened, the states, the stack, the
// console, the bytes now at each patched function, and for a call the instructions that matter.
import type { TraceStep } from '../../emulator/xen/trace.ts';
import { listingLines } from './code.ts';
import { hex, hexBytes, immediateNotes, insnText } from './format.ts';
import { faultSentence, narrate } from './narrate.ts';
import type { Story, StoryStep, TracedCall } from './story.ts';

export function storyText(s: Story): string[] {
  const out = [`${s.name}: image ${s.image}, build-id ${s.buildId}`];
  for (const step of s.steps) out.push(...stepText(step));
  if (s.error) out.push(`error: ${s.error}`);
  out.push(s.ok ? `every step as the scenario expects (${s.steps.length} steps)` : 'stopped: not as the scenario expects');
  return out;
}

export function stepText(s: StoryStep): string[] {
  const out = [`[${s.index}] ${s.title}${s.ok ? '' : '   ✗ NOT AS EXPECTED'}`];
  for (const l of narrate(s)) out.push(`    ${l}`);
  const changed = s.edges.some((x) => x.taken);
  if (changed && s.after.length) out.push(`    states: ${s.after.map((r) => `${r.name} ${r.state}`).join(', ')}`);
  if (changed) out.push(`    applied stack: ${s.stack.length ? `${s.stack.join(' → ')} (top)` : 'empty'}`);
  for (const l of s.outcome.console) out.push(`    console: ${l}`);
  if (changed) {
    for (const site of s.sites) {
      out.push(`    ${site.name} ${hex(site.site)}: ${hexBytes(site.now.bytes)}  ${listingLines(site.now).join('; ')}`);
    }
  }
  if (s.call) out.push(...condensed(s.call.patched));
  return out;
}

/** The instructions of a trace that carry a mark or a named value, numbered as in the full trace. */
function condensed(t: TracedCall): string[] {
  const out: string[] = [];
  t.trace.steps.forEach((st: TraceStep, i) => {
    const notes = st.marks.flatMap((m): string[] => {
      if (m.kind === 'trampoline') return [`trampoline → ${m.targetSymbol.replace(/\+0x0$/, '')}`];
      if (m.kind === 'fixup') return [`fix-up after the ${t.faults.find((f) => f.rip === m.from)?.vectorName ?? 'fault'}`];
      if (m.kind === 'fault') {
        const f = t.faults.find((x) => x.step === i);
        return [f?.table ? `${f.vectorName} → ${f.table.owner === 'payload' ? `${f.table.name}'s own .ex_table` : "Xen's .ex_table"} #${f.table.index}` : `${m.how}`];
      }
      if (m.kind === 'fatal') return [`fatal: ${m.reason}`];
      if (m.kind === 'return') return ['return'];
      return [];
    });
    notes.push(...immediateNotes(insnText(st.text)));
    if (notes.length) out.push(`      ${String(i + 1).padStart(3)}  ${st.symbol.padEnd(38)} ${insnText(st.text).padEnd(40)} ${notes.join('; ')}`);
  });
  for (const f of t.faults) {
    if (f.registers) {
      const regs = Object.entries(f.registers).filter(([k]) => k !== 'RFLAGS' && k !== 'RSP').filter(([, v]) => v !== 0n);
      out.push(`      registers at the ${f.vectorName}: ${regs.map(([k, v]) => `${k.toLowerCase()}=${hex(v)}`).join(' ')}${f.cr2 !== undefined ? ` cr2=${hex(f.cr2)}` : ' (no CR2: not a #PF)'}`);
    }
    if (f.table) out.push(`      ${faultSentence(f)}; entry bytes ${hexBytes(f.table.bytes)} at ${hex(f.table.address)}`);
  }
  return out;
}

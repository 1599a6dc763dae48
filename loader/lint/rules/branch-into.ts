// XLP009: branches from other code into the bytes a trampoline (or NOP patch) overwrites, other than its start.
import type { LintContext } from '../context.ts';
import { hex, plural, where } from '../describe.ts';
import { BranchKind } from '../x86/decode.ts';

const KIND = { [BranchKind.Call]: 'call', [BranchKind.Jmp]: 'jmp', [BranchKind.Cond]: 'conditional jump' } as const;

export function branchIntoRule(ctx: LintContext): void {
  const graph = ctx.image.callGraph();
  // Code that a payload replaces is dead once patched: its branches do not count.
  const patched = new Set(ctx.targets.filter((t) => t.region && t.oldAddr === t.region.address).map((t) => t.region!));
  for (const t of ctx.targets) {
    if (t.oldAddr === undefined || !t.region || t.patchLength < 2) continue;
    const start = t.oldAddr + BigInt(t.patchOffset);
    const end = start + BigInt(t.patchLength);
    const hits = graph.into(start + 1n, end).filter((b) => b.site !== t.region && !patched.has(b.site));
    if (hits.length === 0) continue;
    const sites = [...new Set(hits.map((b) => b.site.name))];
    ctx.report('XLP009', {
      symbol: t.label, payload: t.payload,
      message: `${plural(hits.length, 'branch')} from ${sites.join(', ')} land${hits.length === 1 ? 's' : ''} inside ` +
        `the ${t.patchLength} bytes patched at ${where(ctx.image, start)}`,
      details: hits.map((b) => `${where(ctx.image, b.from)}: ${KIND[b.kind as keyof typeof KIND] ?? 'branch'} to ` +
        `${where(ctx.image, b.target)} (${hex(b.target)})`),
      hint: `patch ${sites.join(' and ')} as well, or patch another function`,
    });
  }
}

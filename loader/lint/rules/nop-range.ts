// XLP014: a NOP patch must end on an instruction boundary of the old code, or what is left of the cut
// instruction runs as something else (xen_nop's new_size = old_size - 1 assumes a 1-byte `ret`).
import type { LintContext } from '../context.ts';
import { hex, where } from '../describe.ts';
import { cutText, instructionCut } from '../insn-cut.ts';

export function nopRangeRule(ctx: LintContext): void {
  for (const t of ctx.targets) {
    if (t.func.newAddr !== 0n || t.oldAddr === undefined || !t.region?.isFunction || t.patchLength === 0) continue;
    const start = t.oldAddr + BigInt(t.patchOffset);
    const end = start + BigInt(t.patchLength);
    const cut = instructionCut(ctx.image, t.region, end);
    if (!cut) continue;
    const before = Number(cut.address - t.oldAddr);
    const after = Number(cut.address + BigInt(cut.length) - t.oldAddr);
    ctx.report('XLP014', {
      symbol: t.label, payload: t.payload,
      message: `the ${t.patchLength} NOP bytes at ${where(ctx.image, start)} end inside ${cutText(ctx.image, cut)}`,
      details: [`NOP range: ${hex(start)}..${hex(end)}; the instruction: ${hex(cut.address)}..` +
        `${hex(cut.address + BigInt(cut.length))}`],
      hint: `make new_size ${before} or ${after}: instruction boundaries of the old code`,
    });
  }
}

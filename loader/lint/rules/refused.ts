// XLP000: Xen's structural upload checks, run by the upload pipeline's own stages.
import type { LintContext } from '../context.ts';

export function refusedRule(ctx: LintContext): void {
  for (const p of ctx.payloads) {
    if (!p.refused) continue;
    ctx.report('XLP000', { symbol: '-', message: `Xen refuses the upload: ${p.refused.message}`, payload: p });
  }
}

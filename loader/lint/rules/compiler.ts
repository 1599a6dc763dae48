// XLP008: the compilers recorded in .comment.
import { compilers } from '../comment.ts';
import type { LintContext } from '../context.ts';

export function compilerRule(ctx: LintContext): void {
  const image = compilers(ctx.image.comment);
  if (image.length === 0 && ctx.payloads.length > 0) {
    ctx.report('XLP008', {
      severity: 'note', symbol: '-',
      message: 'the image has no .comment: which compiler built it cannot be compared with the payloads',
      hint: 'keep .comment in the image (do not discard it in the linker script) to let lint compare compilers',
    });
  }
  for (const p of ctx.payloads) {
    if (p.refused) continue;
    const mine = compilers(p.comment);
    if (mine.length === 0) {
      ctx.report('XLP008', {
        severity: 'note', symbol: '-', payload: p,
        message: 'the payload has no .comment: which compiler built it is unknown',
      });
      continue;
    }
    if (image.length === 0) continue;
    const foreign = mine.filter((c) => !image.includes(c));
    if (foreign.length === 0) continue;
    ctx.report('XLP008', {
      severity: 'warning', symbol: '-', payload: p,
      message: `built by ${foreign.join(', ')}; the image was built by ${image.join(', ')}`,
      details: [...mine.map((c) => `payload: ${c}`), ...image.map((c) => `image:   ${c}`)],
    });
  }
}

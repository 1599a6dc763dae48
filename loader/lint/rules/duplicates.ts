// XLP005: names the image defines more than once, even with statics named `path#name`.
import type { LintContext } from '../context.ts';
import { hex } from '../describe.ts';

export function duplicatesRule(ctx: LintContext): void {
  for (const [name, defs] of ctx.image.symbols.duplicates) {
    ctx.report('XLP005', {
      symbol: name,
      message: `defined ${defs.length} times in the image; Xen resolves the name to only one of them`,
      details: defs.map((d) => `${hex(d.address)} size ${d.size}${d.file ? ` from ${d.file}` : ''}`),
    });
  }
}

// XLP013: names Xen cannot resolve (-ENOENT): undefined symbols, and functions to patch given by name only.
import type { LintContext } from '../context.ts';
import type { LintImage } from '../image-model.ts';
import { generatedLocalKind, plainName } from '../names.ts';

export function unresolvedRule(ctx: LintContext): void {
  for (const p of ctx.payloads) {
    for (const ref of p.references) {
      // Numbered locals get their own, more specific finding (XLP001).
      if (ref.address !== undefined || generatedLocalKind(plainName(ref.name), true)) continue;
      ctx.report('XLP013', {
        symbol: ref.name, payload: p,
        message: 'undefined symbol is in neither the image nor an earlier payload: Xen refuses the upload (-ENOENT)',
        ...candidates(ctx.image, ref.name),
      });
    }
  }
  for (const t of ctx.targets) {
    if (t.oldAddr !== undefined || t.viaUnresolvedSymbol) continue;
    const name = t.func.name;
    ctx.report('XLP013', {
      symbol: name ?? `funcs[${t.func.index}]`, payload: t.payload,
      message: name === undefined
        ? 'old_addr and name are both 0: nothing says which function to patch'
        : 'the function to patch (old_addr 0, resolved by name) is in neither the image nor an earlier payload: -ENOENT',
      ...(name === undefined ? {} : candidates(ctx.image, name)),
    });
  }
}

/** Image symbols with the same plain name: usually a static that needs its `path#` prefix. */
function candidates(image: LintImage, name: string): { details?: string[]; hint?: string } {
  const plain = plainName(name);
  const same = image.allSymbols.filter((s) => s.plain === plain && s.name !== name).map((s) => s.name);
  if (same.length === 0) return {};
  return { details: same.map((n) => `image has: ${n}`), hint: `use the image's name: ${same.join(' or ')}` };
}

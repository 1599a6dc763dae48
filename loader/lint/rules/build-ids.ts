// XLP010 (.livepatch.xen_depends) and XLP011 (.livepatch.depends): the build-id notes, parsed by the upload
// pipeline, against the image and the other payloads given.
import { SEC } from '../../livepatch/upload/constants.ts';
import type { LintContext } from '../context.ts';
import { idHex } from '../describe.ts';
import type { LintPayload } from '../payload-model.ts';

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function buildIdsRule(ctx: LintContext): void {
  const imageId = ctx.image.buildId;
  const imageLine = `image build-id:   ${imageId ? idHex(imageId) : '(none)'}`;
  for (const p of ctx.payloads) {
    if (p.refused) continue;
    if (!p.ids) {
      const msg = p.idsError?.message ?? 'build-id notes unreadable';
      // The pipeline names the note section it could not use.
      const rule = msg.includes(SEC.xenDepends) ? 'XLP010' : msg.includes(SEC.depends) ? 'XLP011' : 'XLP000';
      ctx.report(rule, { symbol: '-', message: `Xen refuses the upload: ${msg}`, payload: p });
      continue;
    }
    const { xenDepends, depends } = p.ids;
    if (!imageId) {
      ctx.report('XLP010', { symbol: '-', payload: p, message: 'the image has no build-id: Xen refuses every upload (-ENODATA)' });
    } else if (!same(xenDepends, imageId)) {
      ctx.report('XLP010', {
        symbol: '-', payload: p,
        message: '.livepatch.xen_depends is not the image\'s build-id: Xen refuses the upload (-EINVAL)',
        details: [`xen_depends:      ${idHex(xenDepends)}`, imageLine],
      });
    }
    if (imageId && same(depends, imageId)) continue;
    const base = ctx.payloads.find((q) => q !== p && q.ids && same(q.ids.buildId, depends));
    if (base) continue;
    ctx.report('XLP011', {
      symbol: '-', payload: p,
      message: ctx.together
        ? '.livepatch.depends matches neither the image nor any payload given: APPLY fails (-EINVAL)'
        : '.livepatch.depends is not the image\'s build-id: alone on the image, APPLY fails (-EINVAL)',
      details: [`depends:          ${idHex(depends)}`, imageLine, ...others(ctx.payloads, p)],
      ...(ctx.together ? {} : { hint: 'if it stacks on another payload, lint both with --together, that one first' }),
    });
  }
}

function others(payloads: LintPayload[], self: LintPayload): string[] {
  return payloads.filter((q) => q !== self && q.ids).map((q) => `${q.name}: ${idHex(q.ids!.buildId)}`);
}

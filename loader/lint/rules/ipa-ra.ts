// XLP007: direct callers of a patched function that keep values in call-clobbered registers across the call,
// as -fipa-ra lets them (gcc's default at -O2 unless -flive-patching=inline-clone or -fno-ipa-ra).
import { compilers, ipaRaDisabled } from '../comment.ts';
import type { LintContext } from '../context.ts';
import { bytesHex, where } from '../describe.ts';
import { relianceAfterCall } from '../x86/after-call.ts';
import { BranchKind } from '../x86/decode.ts';

export function ipaRaRule(ctx: LintContext): void {
  const image = ctx.image;
  if (ipaRaDisabled(image.switches) === true) return;
  const graph = image.callGraph();
  const patched = new Set(ctx.targets.filter((t) => t.region && t.oldAddr === t.region.address).map((t) => t.region!));
  for (const t of ctx.targets) {
    if (!t.region || t.oldAddr !== t.region.address) continue;
    const evidence: string[] = [];
    const callers = new Set<string>();
    for (const b of graph.to(t.oldAddr)) {
      if (b.kind !== BranchKind.Call || patched.has(b.site)) continue;
      const s = b.site;
      const callEnd = s.offset + Number(b.from - s.address) + b.length;
      const e = relianceAfterCall(s.data, callEnd, s.offset, s.offset + s.size);
      if (!e) continue;
      callers.add(s.name);
      const at = s.base + BigInt(e.at);
      evidence.push(`${where(image, at)} reads ${e.registers.join(', ')} after the call at ${where(image, b.from)} ` +
        `(${bytesHex(s.data.subarray(e.at, e.at + e.length))})`);
    }
    if (evidence.length === 0) continue;
    const cc = compilers(image.comment);
    ctx.report('XLP007', {
      severity: 'note', symbol: t.label, payload: t.payload,
      message: `${[...callers].join(', ')} keep${callers.size === 1 ? 's' : ''} values in call-clobbered registers ` +
        'across the call (built with -fipa-ra): the new function must not use them',
      details: [
        ...evidence,
        `image compiler: ${cc.length ? cc.join(', ') : 'unknown (no .comment)'}; ` +
          `${image.switches ? 'recorded switches do not disable -fipa-ra' : 'no switches recorded (-frecord-gcc-switches)'}`,
      ],
    });
  }
}

// XLP006: IPA clones and split parts of a patched function (foo.isra.N, foo.constprop.N, foo.part.N, foo.cold)
// and who calls them: those callers keep running unpatched code.
import type { LintContext } from '../context.ts';
import { where } from '../describe.ts';
import type { CodeRegion } from '../image-model.ts';
import { namePath, parseClone, plainName } from '../names.ts';

export function clonesRule(ctx: LintContext): void {
  const graph = ctx.image.callGraph();
  const patched = new Set(ctx.targets.filter((t) => t.region && t.oldAddr === t.region.address).map((t) => t.region!));
  const byBase = clonesByBase(ctx.image.functions);
  for (const t of ctx.targets) {
    const name = t.region && t.oldAddr === t.region.address ? t.region.name : t.func.name;
    if (name === undefined) continue;
    const plain = plainName(name);
    const base = parseClone(plain)?.base ?? plain;
    const path = namePath(name);
    const clones = (byBase.get(base) ?? []).filter((c) => (path === undefined || namePath(c.name) === path) &&
      c.address !== t.oldAddr && !patched.has(c));
    if (clones.length === 0) continue;
    const details: string[] = [];
    let unpatchedCallers = 0;
    for (const c of clones) {
      const callers = graph.to(c.address).filter((b) => b.site !== c);
      const outside = callers.filter((b) => !patched.has(b.site));
      unpatchedCallers += outside.length;
      const list = callers.map((b) => `${where(ctx.image, b.from)}${patched.has(b.site) ? ' (patched)' : ''}`);
      details.push(`${c.name} (${c.size} bytes): ${list.length ? `reached from ${list.join(', ')}` : 'no direct callers'}`);
    }
    const names = clones.map((c) => c.name).join(', ');
    const missing = t.oldAddr === undefined ? ' (the image has no function by that name, only these)' : '';
    ctx.report('XLP006', {
      severity: unpatchedCallers > 0 ? 'warning' : 'note', symbol: name, payload: t.payload,
      message: unpatchedCallers > 0
        ? `has IPA clones/parts the payload does not patch${missing}: ${names}; ${unpatchedCallers} caller(s) keep ` +
          'running the old code'
        : `has IPA clones/parts the payload does not patch: ${names}; only patched code reaches them, so they ` +
          'become dead code',
      details,
    });
  }
}

/** Functions whose names carry gcc's clone suffixes, by the plain name of the function they derive from. */
function clonesByBase(functions: readonly CodeRegion[]): Map<string, CodeRegion[]> {
  const out = new Map<string, CodeRegion[]>();
  for (const f of functions) {
    const c = parseClone(plainName(f.name));
    if (!c) continue;
    const list = out.get(c.base);
    if (list) list.push(f);
    else out.set(c.base, [f]);
  }
  return out;
}

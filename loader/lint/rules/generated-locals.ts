// XLP001: references to the image's compiler-numbered locals; XLP002: payload symbols Xen would export under a
// name that is already taken (-EEXIST) or that any other payload is likely to use too.
import { STT_OBJECT } from '../../elf/index.ts';
import type { LintContext } from '../context.ts';
import { bytesHex, hex } from '../describe.ts';
import type { LintSymbol } from '../image-model.ts';
import { generatedLocalKind, namePath, plainName } from '../names.ts';
import type { LintPayload, Reference } from '../payload-model.ts';

export function unstableReferenceRule(ctx: LintContext): void {
  for (const p of ctx.payloads) {
    for (const ref of p.references) {
      if (generatedLocalKind(plainName(ref.name), true)) checkReference(ctx, p, ref);
    }
  }
}

function checkReference(ctx: LintContext, p: LintPayload, ref: Reference): void {
  const report = (severity: 'error' | 'warning', message: string, details: string[] = []): void =>
    ctx.report('XLP001', { severity, symbol: ref.name, message, details, payload: p });
  const path = namePath(ref.name);
  const plain = plainName(ref.name);
  const target = ctx.image.allSymbols.find((s) => s.name === ref.name);
  if (!target) {
    if (ref.address !== undefined) {
      report('warning', 'binds by its generic name to another payload\'s local: which one depends on what is loaded');
      return;
    }
    const kind = generatedLocalKind(plain, true);
    const prefix = plain.slice(0, plain.lastIndexOf('.') + 1);
    const similar = ctx.image.allSymbols
      .filter((s) => (path === undefined || s.file === path) && s.plain.startsWith(prefix) &&
        generatedLocalKind(s.plain, s.type === STT_OBJECT) === kind)
      .map((s) => `image has: ${s.name} (${s.size} bytes)`);
    report('error', path === undefined
      ? 'a compiler-numbered local named without its `path#`: Xen names statics `path#name`, so it cannot resolve (-ENOENT)'
      : 'not in the image: this build numbered it differently, so the payload was built from another build (-ENOENT)',
    similar);
    return;
  }
  const reach = ref.uses.reduce((m, u) => (u.minOffset > m ? u.minOffset : m), -1n);
  if (target.size > 0 && reach >= BigInt(target.size)) {
    report('error', `the payload uses byte ${reach} of it, but the image's ${ref.name} is ${target.size} bytes: ` +
      'the name denotes other data in this build');
    return;
  }
  const copy = ownCopy(p, path, plain);
  if (copy) {
    const diff = compare(ctx, p, copy, target);
    if (diff) {
      report('error', `the payload's own ${plain} from ${path} differs from the image's: ${diff}`, [
        `payload: ${bytesHex(p.read(copy.address, Math.min(copy.size, 32)) ?? new Uint8Array())}`,
        `image:   ${bytesHex(ctx.image.read(target.address, Math.min(target.size, 32)) ?? new Uint8Array())}`,
      ]);
      return;
    }
  }
  report('warning', `bound by a compiler-made name (${target.size} bytes at ${hex(target.address)}): right only ` +
    'for the exact build the payload was made from');
}

/** A local with the same name compiled from the same source file: the data the payload's build had under it. */
function ownCopy(p: LintPayload, path: string | undefined, plain: string): { address: bigint; size: number } | undefined {
  if (path === undefined) return undefined;
  return p.kept.find((k) => k.local && k.name === plain && k.file === path);
}

function compare(ctx: LintContext, p: LintPayload, copy: { address: bigint; size: number }, target: LintSymbol): string | undefined {
  if (copy.size !== target.size) return `${copy.size} bytes against ${target.size}`;
  const a = p.read(copy.address, copy.size);
  const b = ctx.image.read(target.address, target.size);
  if (!a || !b) return undefined;
  const at = a.findIndex((x, i) => x !== b[i]);
  return at < 0 ? undefined : `first difference at byte ${at}`;
}

export function collisionRule(ctx: LintContext): void {
  ctx.payloads.forEach((p, i) => {
    for (const k of p.kept) {
      if (!k.isNew) continue;
      const inImage = ctx.image.symbols.lookup(k.name);
      if (inImage) {
        ctx.report('XLP002', {
          symbol: k.name, payload: p,
          message: `already in the image (${hex(inImage.address)}): Xen refuses the upload (-EEXIST)`,
          hint: 'rename it: a payload may not export a name the image has (a mangled `path#name` included)',
        });
        continue;
      }
      const other = ctx.payloads.slice(0, i).find((q) => q.kept.some((s) => s.isNew && s.name === k.name));
      if (other) {
        ctx.report('XLP002', {
          symbol: k.name, payload: p,
          message: `${other.name} exports it too: uploading both fails with -EEXIST`,
          hint: 'rename it in one of them (e.g. as `file#name`), or never load both',
        });
        continue;
      }
      const kind = generatedLocalKind(k.name, k.isObject);
      if (kind && namePath(k.name) === undefined) {
        ctx.report('XLP002', {
          severity: 'warning', symbol: k.name, payload: p,
          message: 'exported under a generic compiler-made name: any other payload with the same local cannot ' +
            'be loaded at the same time (-EEXIST)',
        });
      }
    }
  });
}

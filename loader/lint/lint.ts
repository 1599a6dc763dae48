// Runs every rule over one image and the payloads given (in the order they would be uploaded).
import { readFileSync } from 'node:fs';
import type { Finding, Severity } from './catalogue.ts';
import { makeContext, type LintContext, type SuggestedExpectation } from './context.ts';
import { idHex } from './describe.ts';
import { LintImage } from './image-model.ts';
import { PayloadSpace } from './payload-model.ts';
import { buildIdsRule } from './rules/build-ids.ts';
import { branchIntoRule } from './rules/branch-into.ts';
import { clonesRule } from './rules/clones.ts';
import { compilerRule } from './rules/compiler.ts';
import { duplicatesRule } from './rules/duplicates.ts';
import { expectationsRule } from './rules/expectations.ts';
import { collisionRule, unstableReferenceRule } from './rules/generated-locals.ts';
import { ipaRaRule } from './rules/ipa-ra.ts';
import { refusedRule } from './rules/refused.ts';
import { trampolineRule } from './rules/trampoline.ts';
import { unresolvedRule } from './rules/unresolved.ts';

/** In rule-id order, so the output order is stable. */
const RULE_ORDER: ((ctx: LintContext) => void)[] = [
  refusedRule, unstableReferenceRule, collisionRule, trampolineRule, duplicatesRule, clonesRule, ipaRaRule,
  compilerRule, branchIntoRule, buildIdsRule, expectationsRule, unresolvedRule,
];

export interface PayloadInput {
  path: string;
  /** Read from `path` when absent. */
  bytes?: Uint8Array;
}

export interface LintReport {
  image: { path: string; buildId: string | undefined };
  payloads: { path: string; buildId: string | undefined; depends: string | undefined; xenDepends: string | undefined }[];
  /** Image findings first, then each payload's, each group in rule-id order. */
  findings: Finding[];
  expectations: SuggestedExpectation[];
  summary: Record<'errors' | 'warnings' | 'notes', number>;
}

/** Lints `payloads` against the image at `imagePath` (parsed once per file and cached). */
export function lint(imagePath: string, payloads: readonly (string | PayloadInput)[] = []): LintReport {
  return lintImage(LintImage.load(imagePath), payloads);
}

export function lintImage(image: LintImage, payloads: readonly (string | PayloadInput)[] = []): LintReport {
  const space = new PayloadSpace(image);
  for (const p of payloads) {
    const input = typeof p === 'string' ? { path: p } : p;
    space.load(input.path, input.bytes ?? new Uint8Array(readFileSync(input.path)));
  }
  const findings: Finding[] = [];
  const ctx = makeContext(image, space, findings);
  for (const rule of RULE_ORDER) rule(ctx);
  const order = new Map<string | undefined, number>([[undefined, -1], ...space.loaded.map((p, i) => [p.path, i] as const)]);
  findings.sort((a, b) => order.get(a.payload)! - order.get(b.payload)! || a.rule.localeCompare(b.rule));
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  return {
    image: { path: image.path, buildId: image.buildId && idHex(image.buildId) },
    payloads: space.loaded.map((p) => ({
      path: p.path, buildId: p.ids && idHex(p.ids.buildId), depends: p.ids && idHex(p.ids.depends),
      xenDepends: p.ids && idHex(p.ids.xenDepends),
    })),
    findings,
    expectations: ctx.expectations,
    summary: { errors: count('error'), warnings: count('warning'), notes: count('note') },
  };
}

// Runs every rule over one image and the payloads given: each against the image alone, or as one set loaded
// together in the order given.
import { readFileSync } from 'node:fs';
import type { Finding, Severity } from './catalogue.ts';
import { makeContext, type LintContext, type SuggestedExpectation } from './context.ts';
import { idHex } from './describe.ts';
import { LintImage } from './image-model.ts';
import { type LintPayload, PayloadSpace } from './payload-model.ts';
import { buildIdsRule } from './rules/build-ids.ts';
import { branchIntoRule } from './rules/branch-into.ts';
import { clonesRule } from './rules/clones.ts';
import { compilerRule } from './rules/compiler.ts';
import { duplicatesRule } from './rules/duplicates.ts';
import { expectationsRule } from './rules/expectations.ts';
import { collisionRule, unstableReferenceRule } from './rules/generated-locals.ts';
import { ipaRaRule } from './rules/ipa-ra.ts';
import { nopRangeRule } from './rules/nop-range.ts';
import { refusedRule } from './rules/refused.ts';
import { trampolineRule } from './rules/trampoline.ts';
import { unresolvedRule } from './rules/unresolved.ts';

/** In rule-id order, so the output order is stable. */
const RULE_ORDER: ((ctx: LintContext) => void)[] = [
  refusedRule, unstableReferenceRule, collisionRule, trampolineRule, duplicatesRule, clonesRule, ipaRaRule,
  compilerRule, branchIntoRule, buildIdsRule, expectationsRule, unresolvedRule, nopRangeRule,
];

export interface PayloadInput {
  path: string;
  /** Read from `path` when absent. */
  bytes?: Uint8Array;
}

export interface LintOptions {
  /**
   * The payloads are meant to be loaded together, in the order given: a later one may link against an earlier
   * one's symbols and stack on its build-id, and their exported names must not collide. Without it each
   * payload is linted against the image alone.
   */
  together?: boolean;
}

export interface LintReport {
  image: { path: string; buildId: string | undefined };
  /** Linted as one set loaded together (else each payload against the image alone). */
  together: boolean;
  payloads: { path: string; buildId: string | undefined; depends: string | undefined; xenDepends: string | undefined }[];
  /** Image findings first, then each payload's, each group in rule-id order. */
  findings: Finding[];
  expectations: SuggestedExpectation[];
  summary: Record<'errors' | 'warnings' | 'notes', number>;
}

/** Lints `payloads` against the image at `imagePath` (parsed once per file and cached). */
export function lint(imagePath: string, payloads: readonly (string | PayloadInput)[] = [], opts: LintOptions = {}): LintReport {
  return lintImage(LintImage.load(imagePath), payloads, opts);
}

export function lintImage(image: LintImage, payloads: readonly (string | PayloadInput)[] = [], opts: LintOptions = {}): LintReport {
  const inputs = payloads.map((p) => (typeof p === 'string' ? { path: p } : p));
  const together = opts.together ?? false;
  const groups = together || inputs.length < 2 ? [inputs] : inputs.map((i) => [i]);
  const findings: Finding[] = [];
  const expectations: SuggestedExpectation[] = [];
  const loaded: LintPayload[] = [];
  groups.forEach((group, i) => {
    const space = new PayloadSpace(image);
    for (const input of group) space.load(input.path, input.bytes ?? new Uint8Array(readFileSync(input.path)));
    const found: Finding[] = [];
    const ctx = makeContext(image, space, found, together);
    for (const rule of RULE_ORDER) rule(ctx);
    // The image's own findings are the same in every group: keep the first group's.
    findings.push(...(i === 0 ? found : found.filter((f) => f.payload !== undefined)));
    expectations.push(...ctx.expectations);
    loaded.push(...space.loaded);
  });
  const order = new Map<string | undefined, number>([[undefined, -1], ...loaded.map((p, i) => [p.path, i] as const)]);
  findings.sort((a, b) => order.get(a.payload)! - order.get(b.payload)! || a.rule.localeCompare(b.rule));
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  return {
    image: { path: image.path, buildId: image.buildId && idHex(image.buildId) },
    together,
    payloads: loaded.map((p) => ({
      path: p.path, buildId: p.ids && idHex(p.ids.buildId), depends: p.ids && idHex(p.ids.depends),
      xenDepends: p.ids && idHex(p.ids.xenDepends),
    })),
    findings,
    expectations,
    summary: { errors: count('error'), warnings: count('warning'), notes: count('note') },
  };
}

// The work before it starts: how many sequences an exploration will run, from the model alone (no emulation),
// unit by unit as the engine goes (breadth first, states merged within a unit). Where guest code decides
// (hooks), the estimate takes the hook as succeeding; real runs also tell apart states the model merges (a
// hook's counters), so the estimate is a lower bound more than an exact figure.
import type { ExploreMode } from './config.ts';
import { type ModelContext, type ModelState, predict } from './model.ts';
import { allOps, exploredKinds, nextOps, type Op, type OpKind } from './ops.ts';
import type { PayloadInfo } from './payload-info.ts';
import type { Session } from './session.ts';
import type { Unit } from './units.ts';

export interface EstimateInput {
  ctx: ModelContext;
  root: ModelState;
  names: readonly string[];
  kinds: readonly OpKind[];
  mode: ExploreMode;
  depth: number;
  /** The first operation of each unit (the root unit, which runs no operation, left out). */
  firsts: readonly Op[];
}

const NO_HOOKS: PayloadInfo['hooks'] = { preApply: false, apply: false, postApply: false, preRevert: false, revert: false, postRevert: false };

/** Sequences the engine will run for these units (0 for the root unit). */
export function estimateSequences(input: EstimateInput): number {
  const ctx = optimistic(input.ctx);
  const key = (s: ModelState): string => JSON.stringify(s);
  let total = 0;
  for (const first of input.firsts) {
    const seen = new Set([key(input.root)]);
    let frontier: { state: ModelState; depth: number }[] = [{ state: input.root, depth: 0 }];
    let ops: (s: ModelState) => readonly Op[] = () => [first];
    while (frontier.length) {
      const next: typeof frontier = [];
      for (const n of frontier) {
        if (n.depth >= input.depth) continue;
        for (const op of ops(n.state)) {
          total++;
          const after = predict(n.state, op, ctx).next;
          const k = key(after);
          if (seen.has(k)) continue;
          seen.add(k);
          next.push({ state: after, depth: n.depth + 1 });
        }
      }
      frontier = next;
      ops = (s) => nextOps(input.mode, input.kinds, input.names, s);
    }
  }
  return total;
}

/** The model with every hook taken as succeeding and byte reads cached (the estimate must be quick). */
function optimistic(ctx: ModelContext): ModelContext {
  const infos = new Map<string, PayloadInfo | undefined>();
  const bytes = new Map<string, Uint8Array | undefined>();
  return {
    ...ctx,
    info(name) {
      if (!infos.has(name)) {
        const i = ctx.info(name);
        infos.set(name, i && { ...i, hooks: NO_HOOKS });
      }
      return infos.get(name);
    },
    bytes(applied, address, length) {
      const k = `${applied.join(',')}@${address}+${length}`;
      if (!bytes.has(k)) bytes.set(k, ctx.bytes(applied, address, length));
      return bytes.get(k);
    },
  };
}

/** Above this many sequences explore warns before starting (about a minute or more on a 2-core machine). */
export const WARN_ABOVE = 20_000;

export interface WorkEstimate {
  /** Sequences the units to run here take (model estimate). */
  sequences: number;
  /** Only when above the threshold: what `--orders` and the deepest `--depth` under it would take. */
  advice?: { orders: number | undefined; depth: { depth: number; sequences: number } | undefined };
}

/** The estimate for `units` of a session, with advice when it is above `warnAbove`. */
export function estimateWork(s: Session, units: readonly Unit[], warnAbove = WARN_ABOVE): WorkEstimate {
  const base: EstimateInput = {
    ctx: s.modelContext(), root: s.root.model, names: s.names, kinds: exploredKinds(s.uploadsExplored),
    mode: s.config.mode, depth: s.depth, firsts: units.flatMap((u) => (u.first ? [u.first] : [])),
  };
  const sequences = estimateSequences(base);
  if (sequences <= warnAbove) return { sequences };
  const orders = s.config.mode === 'all' && !s.uploadsExplored
    ? estimateSequences({ ...base, mode: 'orders', depth: 2 * s.names.length, firsts: allOps(['apply'], s.names) })
    : undefined;
  let depth: { depth: number; sequences: number } | undefined;
  for (let d = s.depth - 1; d >= 1 && !depth; d--) {
    const n = estimateSequences({ ...base, depth: d });
    if (n <= warnAbove) depth = { depth: d, sequences: n };
  }
  return { sequences, advice: { orders, depth } };
}

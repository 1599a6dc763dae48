// The work estimated before exploring (from the model, no emulation): what the engine then runs, advice when
// it is large, and `--estimate`.
import { describe, expect, it } from 'vitest';
import { estimate, explore } from '../../cli/explore/explore.ts';
import type { WorkEstimate } from '../../cli/explore/estimate.ts';
import { estimateLines } from '../../cli/explore/progress.ts';
import { plantedBug, xlp } from './helpers.ts';

describe('the estimate', () => {
  it('is the number of sequences the planted-bug exploration runs, told before it starts', async () => {
    const told: WorkEstimate[] = [];
    const r = await explore(plantedBug({ onEstimate: (e) => told.push(e) }));
    expect(told).toEqual([{ sequences: r.sequences }]); // under the threshold: no advice
  });

  it('comes with --orders and --depth advice above the threshold, each under it', () => {
    const e = estimate(plantedBug({ warnAbove: 100 }));
    expect(e.sequences).toBeGreaterThan(100);
    expect(e.advice!.orders).toBeLessThanOrEqual(100);
    const { depth, sequences } = e.advice!.depth!;
    expect(sequences).toBeLessThanOrEqual(100);
    // The deepest such depth: one more is over the threshold.
    expect(estimate(plantedBug({ depth: depth + 1, warnAbove: 1e9 })).sequences).toBeGreaterThan(100);
  });

  it('is told on stderr with the advice when above the threshold', () => {
    expect(estimateLines({ sequences: 50_688, advice: { orders: 15, depth: { depth: 3, sequences: 900 } } }, 20_000)).toEqual([
      'about 50,688 sequences to explore (estimated from the model): more than 20,000, this takes a while',
      '--orders explores only apply orders (each payload once, then LIFO reverts): about 15 sequences',
      '--depth 3 explores sequences of up to 3 operations: about 900 sequences',
      '--shard I/N splits the work between machines (merge their --json with --merge); --estimate prints this and stops',
    ]);
  });

  it('is printed by --estimate, which explores nothing', async () => {
    const r = await xlp('explore', '--estimate', '--nodeps', 'xlp_order_jmp', 'xlp_order_nop');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`about ${estimate(plantedBug()).sequences} sequences to explore (estimated from the model)`]);
  });
});

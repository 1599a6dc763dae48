// --shard I/N: shards take whole units (a first operation and all that follows it), so across shards every
// sequence of the unsharded run is explored exactly once, and the shards' failures together are its failures.
import { describe, expect, it } from 'vitest';
import { explore } from '../../cli/explore/explore.ts';
import { mergeFailures } from '../../cli/explore/failures.ts';
import { parseShard, shardUnits } from '../../cli/explore/units.ts';
import { plantedBug } from './helpers.ts';

describe('--shard', () => {
  it('covers every sequence exactly once across shards 1/3, 2/3, 3/3', async () => {
    const all = await explore(plantedBug({ collectSequences: true }));
    const shards = [];
    for (let i = 1; i <= 3; i++) shards.push(await explore(plantedBug({ collectSequences: true, shard: { index: i, count: 3 } })));
    expect(shards.map((s) => s.units)).toEqual([3, 3, 3]);
    expect(shards.every((s) => s.totalUnits === all.totalUnits)).toBe(true);
    const labels = shards.flatMap((s) => s.labels);
    expect(labels).toHaveLength(all.labels.length); // none twice
    expect(new Set(labels)).toEqual(new Set(all.labels)); // none missing
    expect(new Set(all.labels).size).toBe(all.labels.length);
    expect(shards.reduce((n, s) => n + s.sequences, 0)).toBe(all.sequences);
    // The root's checks run in shard 1 only; the failure is found in exactly one shard, as in the full run.
    expect(mergeFailures(shards.map((s) => s.failures))).toEqual(all.failures);
  });

  it('takes every N-th unit and checks its argument', () => {
    const units = Array.from({ length: 7 }, (_, index) => ({ index }));
    expect(shardUnits(units, { index: 2, count: 3 }).map((u) => u.index)).toEqual([1, 4]);
    expect(parseShard('3/3')).toEqual({ index: 3, count: 3 });
    expect(() => parseShard('4/3')).toThrow(/1 <= I <= N/);
    expect(() => parseShard('0/2')).toThrow();
    expect(() => parseShard('x')).toThrow();
  });
});

// The progress bar: sequences against the estimate, an ETA, and a total that grows when the estimate was short.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../cli/explore/progress.ts';

/** A terminal-like stream that keeps what is written. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  Object.assign(s, { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: s, text: () => out };
}

describe('the explore progress bar', () => {
  it('counts sequences against the estimate, with an ETA', () => {
    const t = terminal();
    const bar = progressBar(true, t.stream)!;
    bar.update({ unitsDone: 1, units: 9, sequences: 122, estimated: 488, states: 10 });
    bar.stop();
    expect(t.text()).toMatch(/122\/488 sequences \| ETA \S+ \| 10 states \| 1\/9 units/);
  });

  it('grows the total past a short estimate, to the count itself once every unit is done', () => {
    // (The bar redraws at most 10 times a second: each case is its own bar, drawn when it stops.)
    const running = terminal();
    const a = progressBar(true, running.stream)!;
    a.update({ unitsDone: 2, units: 3, sequences: 100, estimated: 50, states: 5 });
    a.stop();
    expect(running.text()).toMatch(/100\/110 sequences/); // 10% room while units are left
    const done = terminal();
    const b = progressBar(true, done.stream)!;
    b.update({ unitsDone: 3, units: 3, sequences: 120, estimated: 50, states: 6 });
    b.stop();
    expect(done.text()).toMatch(/120\/120 sequences/);
  });

  it('stays silent when stderr is not a terminal, or for --json', () => {
    expect(progressBar(true, Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream)).toBeUndefined();
    expect(progressBar(false, terminal().stream)).toBeUndefined();
  });
});

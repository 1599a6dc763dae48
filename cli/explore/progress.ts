// A progress bar on stderr, only when stderr is a terminal (never in --json or piped output).
import cliProgress from 'cli-progress';
import type { Progress } from './explore.ts';

export interface ProgressBar {
  update(p: Progress): void;
  stop(): void;
}

export function progressBar(enabled: boolean): ProgressBar | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'explore [{bar}] {value}/{total} units | {sequences} sequences | {states} states',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(p.units, 0, { sequences: 0, states: 0 });
        started = true;
      }
      bar.update(p.unitsDone, { sequences: p.sequences, states: p.states });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

// A progress bar on stderr, only when stderr is a terminal (never in --json or piped output): sequences run
// against the estimate made before starting, with an ETA; the total grows if the estimate was short.
import cliProgress from 'cli-progress';
import type { WorkEstimate } from './estimate.ts';
import type { Progress } from './explore.ts';

export interface ProgressBar {
  update(p: Progress): void;
  stop(): void;
}

export function progressBar(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressBar | undefined {
  if (!enabled || !stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'explore [{bar}] {value}/{total} sequences | ETA {eta_formatted} | {states} states | {unitsDone}/{units} units',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let total = 0;
  return {
    update(p) {
      if (!started) {
        total = Math.max(1, p.estimated);
        bar.start(total, 0, { states: 0, unitsDone: 0, units: p.units });
        started = true;
      }
      // Units not yet started will still take what the estimate says; past it, keep some room.
      if (p.sequences >= total) {
        total = p.unitsDone === p.units ? p.sequences : Math.ceil((p.sequences * 11) / 10);
        bar.setTotal(total);
      }
      bar.update(p.sequences, { states: p.states, unitsDone: p.unitsDone, units: p.units });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** The lines printed (on stderr) before a large exploration starts. */
export function estimateLines(e: WorkEstimate, warnAbove: number): string[] {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [`about ${n(e.sequences)} sequences to explore (estimated from the model)`];
  if (!e.advice) return lines;
  lines[0] += `: more than ${n(warnAbove)}, this takes a while`;
  if (e.advice.orders !== undefined) lines.push(`--orders explores only apply orders (each payload once, then LIFO reverts): about ${n(e.advice.orders)} sequences`);
  if (e.advice.depth) lines.push(`--depth ${e.advice.depth.depth} explores sequences of up to ${e.advice.depth.depth} operations: about ${n(e.advice.depth.sequences)} sequences`);
  lines.push('--shard I/N splits the work between machines (merge their --json with --merge); --estimate prints this and stops');
  return lines;
}

// Worker threads that run units: each boots its own host once, then takes the next unit as soon as it is
// free. Results come back per unit, so their merge does not depend on which worker ran what.
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExploreConfig } from './config.ts';
import type { UnitResult } from './engine.ts';
import type { SessionFacts } from './session.ts';
import type { Unit } from './units.ts';

export interface WorkerData {
  config: ExploreConfig;
  /** The main session's trial results: workers need not upload every payload alone again. */
  facts: SessionFacts;
}

export type ToWorker = { kind: 'unit'; unit: Unit } | { kind: 'stop' };

export type ToMain =
  | { kind: 'ready' }
  | { kind: 'progress'; unit: number; sequences: number; states: number }
  | { kind: 'result'; result: UnitResult }
  | { kind: 'error'; message: string };

export interface UnitProgress {
  unit: number;
  sequences: number;
  states: number;
  done: boolean;
}

/**
 * Compiled, the worker is plain JavaScript next to this module (worker.js beside the tsc output, worker.cjs
 * beside the bundle). From the TypeScript sources (development, vitest) it is loaded through tsx, registered
 * inside the worker: execArgv's `--import tsx` does not reach worker threads on Node 20, and under vitest there
 * is none.
 */
function spawn(data: WorkerData): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  if (ext !== '.ts') return new Worker(new URL(`./worker${ext}`, import.meta.url), { workerData: data, execArgv: [] });
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: data, execArgv: [] });
}

export function runInWorkers(
  data: WorkerData,
  units: readonly Unit[],
  jobs: number,
  onProgress?: (p: UnitProgress) => void,
): Promise<UnitResult[]> {
  const queue = [...units];
  const results: UnitResult[] = [];
  const workers: Worker[] = [];
  return new Promise<UnitResult[]>((resolve, reject) => {
    let failed = false;
    // No terminate(): a worker stopped inside a Unicorn call aborts the whole process (koffi's napi_throw);
    // each stops once its current unit is done.
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      queue.length = 0;
      for (const w of workers) w.postMessage({ kind: 'stop' } satisfies ToWorker);
      reject(e);
    };
    const feed = (w: Worker): void => {
      const unit = queue.shift();
      w.postMessage((unit ? { kind: 'unit', unit } : { kind: 'stop' }) satisfies ToWorker);
    };
    for (let i = 0; i < Math.min(jobs, units.length); i++) {
      const w = spawn(data);
      workers.push(w);
      w.on('message', (m: ToMain) => {
        if (m.kind === 'ready') feed(w);
        else if (m.kind === 'progress') onProgress?.({ ...m, done: false });
        else if (m.kind === 'error') fail(new Error(`explore worker: ${m.message}`));
        else {
          results.push(m.result);
          onProgress?.({ unit: m.result.unit, sequences: m.result.sequences, states: m.result.states.length, done: true });
          if (results.length === units.length) resolve(results);
          feed(w);
        }
      });
      w.on('error', fail);
      w.on('exit', (code) => {
        if (code !== 0 && results.length < units.length) fail(new Error(`explore worker exited with code ${code}`));
      });
    }
  });
}

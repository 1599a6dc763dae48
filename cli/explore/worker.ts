// A worker thread: boots its own host for the exploration in workerData, then runs the units it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerData } from './pool.ts';
import { UnitExplorer } from './engine.ts';
import type { ToMain, ToWorker } from './pool.ts';
import { Session } from './session.ts';

const port = parentPort!;
const post = (m: ToMain): void => port.postMessage(m);

let session: Session | undefined;
try {
  const data = workerData as WorkerData;
  session = new Session(data.config, data.facts);
  post({ kind: 'ready' });
} catch (e) {
  post({ kind: 'error', message: (e as Error).stack ?? String(e) });
}

let last = 0;
port.on('message', (m: ToWorker) => {
  if (m.kind === 'stop' || !session) {
    session?.close();
    port.close();
    return;
  }
  try {
    const r = new UnitExplorer(session, m.unit, (p) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      post({ kind: 'progress', unit: p.unit, sequences: p.sequences, states: p.states.length });
    }).run();
    post({ kind: 'result', result: r });
  } catch (e) {
    post({ kind: 'error', message: (e as Error).stack ?? String(e) });
  }
});

// Wall-clock limits without cost per call. uc_emu_start's `timeout` spawns a thread per run (~150 us) and its
// `count` adds a per-instruction hook, so one worker thread per process watches every Machine instead: a run
// stores its deadline in shared memory (two plain stores), the worker polls, and calls uc_emu_stop() from its
// own thread when a deadline has passed (that is how Unicorn's own timeout works).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { unicornLibraryPath } from './unicorn.ts';

const SLOTS = 1024;
const POLL_MS = 10;

const handles = new BigInt64Array(new SharedArrayBuffer(SLOTS * 8));
const deadlines = new Float64Array(new SharedArrayBuffer(SLOTS * 8));
const runIds = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
const fired = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
const free: number[] = [];
let next = 0;
let worker: Worker | undefined;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const lib = koffi.load(workerData.lib);
const stop = lib.func('int uc_emu_stop(void *uc)');
const { handles, deadlines, runIds, fired, poll } = workerData;
setInterval(() => {
  const now = Date.now();
  for (let i = 0; i < deadlines.length; i++) {
    const d = deadlines[i];
    if (d > 0 && now > d) {
      Atomics.store(fired, i, Atomics.load(runIds, i));
      stop(handles[i]);
    }
  }
}, poll);
`;

function ensureWorker(): void {
  if (worker) return;
  const req = createRequire(import.meta.url);
  worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { koffi: req.resolve('koffi'), lib: unicornLibraryPath(), handles, deadlines, runIds, fired, poll: POLL_MS },
  });
  worker.unref();
}

/** One Machine's slot in the watchdog. */
export class WatchdogSlot {
  private readonly slot: number;
  private runId = 0;

  constructor(handle: bigint) {
    ensureWorker();
    const s = free.pop() ?? next++;
    if (s >= SLOTS) throw new Error(`more than ${SLOTS} machines alive at once`);
    this.slot = s;
    handles[s] = handle;
    deadlines[s] = 0;
  }

  arm(timeoutMs: number): void {
    this.runId = (this.runId + 1) | 0;
    Atomics.store(runIds, this.slot, this.runId);
    deadlines[this.slot] = Date.now() + timeoutMs;
  }

  disarm(): void {
    deadlines[this.slot] = 0;
  }

  /** Did the watchdog stop the run armed last? (A stop can also land just after a run ended: ignore those.) */
  get fired(): boolean {
    return Atomics.load(fired, this.slot) === this.runId;
  }

  release(): void {
    deadlines[this.slot] = 0;
    handles[this.slot] = 0n;
    free.push(this.slot);
  }
}

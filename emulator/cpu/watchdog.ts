// Wall-clock limits without cost per call. uc_emu_start's `timeout` spawns a thread per run (~150 us) and its
// `count` adds a per-instruction hook, so one worker thread per process watches every Machine: a run stores its
// deadline in shared memory (two plain stores), the worker polls, and calls uc_emu_stop() from its own thread
// when a deadline has passed (that is how Unicorn's own timeout works). Starting that worker costs ~50 ms of
// CPU (a Node isolate and koffi), more than a short command's whole run (issue 9: an `xlp call` is a handful
// of runs), so a process's first NATIVE_RUNS runs take Unicorn's own timeout and the worker starts after them.
import { createRequire } from 'node:module';
import { unicornLibraryPath } from './unicorn.ts';

const SLOTS = 1024;
/** Runs per process that use Unicorn's timeout thread before the shared worker takes over. */
export const NATIVE_RUNS = 32;
let nativeRuns = 0;
const POLL_MS = 10;
/** How long the exit waits for a worker still starting: far more than koffi's load takes even under load. */
const EXIT_WAIT_MS = 10_000;

const handles = new BigInt64Array(new SharedArrayBuffer(SLOTS * 8));
const deadlines = new Float64Array(new SharedArrayBuffer(SLOTS * 8));
const runIds = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
const fired = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
/** [0] the main thread asks the worker to stop; [1] the worker has stopped and will call nothing native again. */
const control = new Int32Array(new SharedArrayBuffer(8));
const STOP = 0;
const STOPPED = 1;
const free: number[] = [];
let next = 0;
let worker: import('node:worker_threads').Worker | undefined;
/** Why the worker died, if it did: without it no wall-clock limit would ever fire. */
let failure: Error | undefined;

// The worker sleeps on the control word rather than a timer, so a stop request wakes it at once; it loads
// nothing native once a stop was asked, and says it stopped however its script ends.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { handles, deadlines, runIds, fired, control, poll } = workerData;
try {
  if (Atomics.load(control, ${STOP}) === 0) {
    const koffi = require(workerData.koffi);
    const stop = koffi.load(workerData.lib).func('int uc_emu_stop(void *uc)');
    while (Atomics.load(control, ${STOP}) === 0) {
      Atomics.wait(control, ${STOP}, 0, poll);
      const now = Date.now();
      for (let i = 0; i < deadlines.length; i++) {
        const d = deadlines[i];
        if (d > 0 && now > d && Atomics.load(control, ${STOP}) === 0) {
          Atomics.store(fired, i, Atomics.load(runIds, i));
          stop(handles[i]);
        }
      }
    }
  }
} finally {
  Atomics.store(control, ${STOPPED}, 1);
  Atomics.notify(control, ${STOPPED});
}
`;

/**
 * Node terminates worker threads at exit; one caught inside koffi's native code (still loading the addon, or
 * in uc_emu_stop) aborts the whole process (`FATAL ERROR: ... napi_throw`, exit 134) after its work is done.
 * So the exit asks the worker to stop and waits until it is out of native code for good.
 */
function stopWorker(): void {
  Atomics.store(control, STOP, 1);
  Atomics.notify(control, STOP);
  Atomics.wait(control, STOPPED, 0, EXIT_WAIT_MS);
}

function ensureWorker(): void {
  if (worker) return;
  const req = createRequire(import.meta.url);
  // Loaded here, not at the top: most processes end before their NATIVE_RUNS-th run and never need it.
  const { Worker } = req('node:worker_threads') as typeof import('node:worker_threads');
  // execArgv []: the worker is plain CommonJS whatever the process was started with (`--input-type=module`
  // would make it ESM and break it; `--import tsx` would only slow its start).
  worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { koffi: req.resolve('koffi'), lib: unicornLibraryPath(), handles, deadlines, runIds, fired, control, poll: POLL_MS },
  });
  worker.unref();
  worker.on('error', (e) => {
    failure = e;
  });
  // An ended worker is out of native code: nothing to wait for at exit.
  worker.on('exit', () => Atomics.store(control, STOPPED, 1));
  process.once('exit', stopWorker);
}

/** Has this process started the watchdog thread (after its first NATIVE_RUNS runs)? */
export function watchdogThreadStarted(): boolean {
  return worker !== undefined;
}

/** One Machine's slot in the watchdog. */
export class WatchdogSlot {
  private readonly slot: number;
  private runId = 0;
  /** The run armed last was left to Unicorn's own timeout. */
  private native = false;

  /** `timedOut`: whether the last run stopped on Unicorn's own timeout (uc_query). */
  constructor(handle: bigint, private readonly timedOut: () => boolean) {
    const s = free.pop() ?? next++;
    if (s >= SLOTS) throw new Error(`more than ${SLOTS} machines alive at once`);
    this.slot = s;
    handles[s] = handle;
    deadlines[s] = 0;
  }

  /** Watch a run of at most `timeoutMs`; returns the timeout to give uc_emu_start (µs), 0 when the worker watches. */
  arm(timeoutMs: number): number {
    this.native = nativeRuns < NATIVE_RUNS;
    if (this.native) {
      nativeRuns++;
      return Math.max(1, Math.ceil(timeoutMs * 1000));
    }
    ensureWorker();
    if (failure) throw new Error(`the watchdog thread failed: ${failure.message}`);
    this.runId = (this.runId + 1) | 0;
    Atomics.store(runIds, this.slot, this.runId);
    deadlines[this.slot] = Date.now() + timeoutMs;
    return 0;
  }

  disarm(): void {
    deadlines[this.slot] = 0;
  }

  /** Did the watchdog stop the run armed last? (A stop can also land just after a run ended: ignore those.) */
  get fired(): boolean {
    if (this.native) return this.timedOut();
    return Atomics.load(fired, this.slot) === this.runId;
  }

  release(): void {
    deadlines[this.slot] = 0;
    handles[this.slot] = 0n;
    free.push(this.slot);
  }
}

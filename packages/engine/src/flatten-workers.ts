/**
 * The pool of flatten worker threads of one run (issue 21): batches of call logs go out
 * round-robin (a page's body, or each call's JSON text: worker-rows.ts), at most
 * MAX_BATCHES_IN_FLIGHT per worker so a slow worker stops the source (the Readable contract
 * holds); `flush()` asks every worker, after everything posted before, for the files it staged.
 * The first failure of any worker (an error it reports, a crash, an exit) fails every later call;
 * `terminate()` stops them all, and no worker outlives the run.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PartsFlush } from '@omnidim-stream/sinks';
import { SinkError } from '@omnidim-stream/sinks';
import { deserializeWorkerError } from './worker-error.js';
import type { FromWorker, IndexedQuarantine, ToWorker, WorkerBatch, WorkerInit } from './worker-messages.js';

/** Batches posted to one worker and not yet processed: enough to keep it busy, few enough to bound memory. */
const MAX_BATCHES_IN_FLIGHT = 2;

/** Flatten worker threads of this process: started, and not yet exited (tests check no run leaves one). */
const counts = { started: 0, live: 0 };

/** How many flatten worker threads this process started, and how many run now. */
export function flattenWorkerCounts(): { started: number; live: number } {
  return { ...counts };
}

/** What a flush of every worker gave back. */
export interface WorkersFlush {
  flushes: PartsFlush[];
  quarantine: IndexedQuarantine[];
}

interface Thread {
  worker: Worker;
  inFlight: number;
  /** Resolved when a batch is done or the pool failed (the waiter then checks #failure). */
  wake: (() => void) | undefined;
  flushes: { resolve: (f: WorkersFlush) => void; reject: (e: Error) => void }[];
}

/** The worker threads of one run (see the module comment). */
export class FlattenWorkers {
  readonly #threads: Thread[] = [];
  #next = 0;
  #failure: Error | undefined;
  #terminated = false;

  private constructor() {}

  /**
   * Starts `count` workers without waiting for them: each loads its modules and codec (~0.3 s of
   * start-up) while the run's first request is in flight (issue 21, goal 5). A worker that fails
   * to start (a bad setup) fails the pool like any later failure: the next `dispatch` or `flush`
   * throws it, and a flush already waiting is rejected.
   */
  static start(count: number, init: WorkerInit): FlattenWorkers {
    const pool = new FlattenWorkers();
    try {
      for (let i = 0; i < count; i++) pool.#spawn(init);
    } catch (error) {
      // A thread that cannot be created (`new Worker` throws): the caller never gets the pool,
      // so the threads already started are stopped here.
      void pool.terminate();
      throw error;
    }
    return pool;
  }

  /**
   * Posts one batch (call logs as JSON texts or a page's body, and their places in the run) to
   * the next worker; `transfer` moves those buffers instead of copying them.
   */
  async dispatch(message: WorkerBatch, transfer: ArrayBuffer[] = []): Promise<void> {
    const thread = this.#threads[this.#next++ % this.#threads.length]!;
    while (thread.inFlight >= MAX_BATCHES_IN_FLIGHT && this.#failure === undefined) {
      await new Promise<void>((resolve) => {
        thread.wake = resolve;
      });
    }
    this.#throwIfFailed();
    // The strings as they are: a structured clone copies a flat string's characters as one block,
    // while UTF-8 (TextEncoder here, TextDecoder there) of the conversations' two-byte text and
    // flattening a joined rope cost ~450 µs per call together (measured, --cpu-prof: issue 21).
    thread.inFlight++;
    thread.worker.postMessage(message, transfer);
  }

  /** Every worker's files and quarantine since the previous flush, after every batch posted. */
  async flush(): Promise<WorkersFlush> {
    this.#throwIfFailed();
    const each = this.#threads.map(
      (thread) =>
        new Promise<WorkersFlush>((resolve, reject) => {
          thread.flushes.push({ resolve, reject });
          thread.worker.postMessage({ type: 'flush' } satisfies ToWorker);
        }),
    );
    const results = await Promise.all(each);
    return {
      flushes: results.flatMap((r) => r.flushes),
      quarantine: results.flatMap((r) => r.quarantine).sort((a, b) => a.index - b.index),
    };
  }

  /** Stops every worker (their half-written files stay for the run's cleanup). */
  async terminate(): Promise<void> {
    this.#terminated = true;
    // Wake whatever waits on a worker (a full batch queue, a flush): it will never answer now.
    // Left waiting, the run's generator never finishes, and on Node 22 the pipeline waits for it
    // on abort (found by workers.failure-abort.test.ts: a signal after a checkpoint hung there).
    this.#fail(new SinkError('The flatten workers were stopped'));
    await Promise.all(this.#threads.map((t) => t.worker.terminate()));
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const thread of this.#threads) {
      thread.wake?.();
      for (const f of thread.flushes.splice(0)) f.reject(this.#failure);
    }
  }

  #spawn(init: WorkerInit): void {
    const worker = startWorker(init);
    counts.started++;
    counts.live++;
    worker.once('exit', () => counts.live--);
    const thread: Thread = { worker, inFlight: 0, wake: undefined, flushes: [] };
    this.#threads.push(thread);
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'done') {
        thread.inFlight--;
        const wake = thread.wake;
        thread.wake = undefined;
        wake?.();
      } else if (message.type === 'flushed') {
        thread.flushes.shift()?.resolve({ flushes: [message.flush], quarantine: message.quarantine });
      } else {
        this.#fail(deserializeWorkerError(message.error));
      }
    });
    // A message that cannot be deserialized: the batch or flush it answered would never settle.
    worker.on('messageerror', (error) => {
      this.#fail(
        new SinkError(`A flatten worker's message could not be read: ${error.message}`, { cause: error }),
      );
    });
    worker.on('error', (error) => {
      this.#fail(new SinkError(`A flatten worker thread failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (this.#terminated) return;
      this.#fail(new SinkError(`A flatten worker thread exited unexpectedly (exit code ${code})`));
    });
  }
}

/** The worker's module: dist's `.js`, or the `.ts` source when this file runs from source (tests). */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './flatten-worker.ts' : './flatten-worker.js', import.meta.url);

/**
 * Starts a worker on {@link WORKER_URL}. From source, the worker first registers tsx's ESM loader
 * and then imports the `.ts` module, with the `source` condition: `--import tsx` in a worker's
 * execArgv does not apply to its entry module on Node 20.
 */
function startWorker(workerData: WorkerInit): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL, { workerData });
  const code = `import(${JSON.stringify(tsxEsmApi())})
    .then((api) => { api.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  // Only the source condition: the parent's own flags (a test runner's) are not the worker's business.
  return new Worker(code, { eval: true, workerData, execArgv: ['--conditions=source'] });
}

/** tsx's ESM register API (a dev dependency: only the sources need it), as a file URL. */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const exports = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(manifest), exports.exports['./esm/api']!.import.default)).href;
}

/** The messages between the main thread and a flatten worker (flatten-worker.ts), both ways. */
import type { PartsFlush, PartsWriterConfig } from '@omnidim-stream/sinks';
import type { TransformOptions } from '@omnidim-stream/transform';
import type { SerializedWorkerError } from './worker-error.js';

/** A worker's `workerData`: plain data only (it is structured-cloned). */
export interface WorkerInit {
  config: PartsWriterConfig;
  /** The run's transform options as the caller gave them (resolved again in the worker). */
  transform: TransformOptions;
}

/** A quarantined record and its place among the run's call logs (to keep the source order). */
export interface IndexedQuarantine {
  index: number;
  /** The quarantine line: a flatten failure's `QuarantinedRecord`, or a stray old call's. */
  entry: { reason: string; detail: string; record: unknown };
}

/**
 * Call logs for a worker: `batch` = each call log as its JSON text; `page` = a page's body as
 * core received it (UTF-8 JSON, a transferred copy) and the places in its `call_log_data` of the
 * calls to flatten (`picks`). `indices` are the calls' places in the run. `count` and `ids` are
 * what this thread saw there (the list's length, `idOf` of each pick): the worker's parse must
 * find the same (flatten-worker.ts, the cross-check), else the run fails.
 */
export type WorkerBatch =
  | { type: 'batch'; records: string[]; indices: number[] }
  | { type: 'page'; body: Uint8Array; picks: number[]; indices: number[]; count: number; ids: PageId[] };

/** `idOf` of a call: a number, a string, or undefined (no usable id). */
export type PageId = number | string | undefined;

/** Main → worker. */
export type ToWorker = WorkerBatch | { type: 'flush' };

/** Worker → main. */
export type FromWorker =
  | { type: 'done' }
  | { type: 'flushed'; flush: PartsFlush; quarantine: IndexedQuarantine[] }
  | { type: 'error'; error: SerializedWorkerError };

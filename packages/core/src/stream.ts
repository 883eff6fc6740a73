/**
 * The Readable adapter: a thin object-mode stream over the page engine (run-pages.ts). It pulls
 * one record per `_read()` demand, so the engine fetches only as the consumer reads, re-emits the
 * engine's events, and aborts in-flight requests on `destroy()`.
 */
import { Readable } from 'node:stream';
import type { CallLog } from './call-log.js';
import type { CallLogCheckpoint, CheckpointTracker } from './checkpoint.js';
import { InvalidRecordError } from './errors.js';
import {
  type CallLogStats,
  createStats,
  type DriftEvent,
  type PageEvent,
  type ProgressEvent,
  type RetryEvent,
} from './events.js';
import { checkpointEmitter, createTracker, handOnRecords } from './hand-on.js';
import { type CallLogsOptions, resolveOptions } from './options.js';
import { runPages } from './run-pages.js';

/** Events of {@link CallLogStream} besides the Readable ones. */
export interface CallLogStreamEvents {
  page: [PageEvent];
  retry: [RetryEvent];
  progress: [ProgressEvent];
  drift: [DriftEvent];
  /**
   * Every call of a page was pushed into this stream (not necessarily written by your sink yet:
   * keep the checkpoints and commit the latest one whose `emitted` your sink has durably written).
   */
  checkpoint: [CallLogCheckpoint];
}

/** Object-mode Readable of call logs with live `stats`; see {@link callLogs}. */
export class CallLogStream extends Readable {
  /** Live counters of this export. */
  readonly stats: CallLogStats;
  readonly #tracker: CheckpointTracker;
  readonly #stop = new AbortController();
  readonly #records: AsyncGenerator<CallLog, void, undefined>;
  #reading: Promise<void> | undefined;
  #wanted = false;

  constructor(options: CallLogsOptions, highWaterMark = 16) {
    super({ objectMode: true, highWaterMark });
    const resolved = resolveOptions(options);
    this.stats = createStats();
    this.#tracker = createTracker(resolved, this.stats);
    const listeners = {
      page: (e: PageEvent) => this.emit('page', e),
      retry: (e: RetryEvent) => this.emit('retry', e),
      progress: (e: ProgressEvent) => this.emit('progress', e),
      drift: (e: DriftEvent) => this.emit('drift', e),
      checkpoint: (c: CallLogCheckpoint) => this.emit('checkpoint', c),
    };
    const engine = runPages(resolved, this.stats, listeners, this.#stop.signal, this.#tracker);
    this.#records = handOnRecords(
      engine,
      this.#tracker,
      checkpointEmitter(resolved, listeners, this.#tracker),
    );
  }

  /**
   * Typed: `for await (const call of callLogs(options))` gives {@link CallLog}s (a Readable's own
   * iterator is typed `any`).
   */
  override [Symbol.asyncIterator](): NodeJS.AsyncIterator<CallLog> {
    return super[Symbol.asyncIterator]();
  }

  /** Checkpoint of every call pushed into this stream so far (see {@link CallLogCheckpoint}). */
  get checkpoint(): CallLogCheckpoint | undefined {
    return this.#tracker.current();
  }

  override _read(): void {
    // A demand that arrives while a pump is finishing (it returned on a full buffer but its
    // promise has not settled yet) must not be lost: remember it and pump again afterwards.
    this.#wanted = true;
    if (this.#reading !== undefined) return;
    this.#reading = this.#pump().finally(() => {
      this.#reading = undefined;
      // Only while the buffer has room: a demand that came in while the pump still awaited its
      // record was met by the pushes since; pumping on a full buffer overshoots highWaterMark.
      if (this.#wanted && !this.destroyed && this.readableLength < this.readableHighWaterMark) this._read();
    });
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        this.#wanted = false;
        const next = await this.#records.next();
        if (this.destroyed) return;
        if (next.done) {
          this.push(null);
          return;
        }
        if (next.value === null) {
          // `call_log_data` may hold a null row (core passes rows through untouched), but a
          // Readable cannot carry null: pushing it would END the stream and silently drop every
          // later call. Fail loudly instead; `paginateCallLogs` hands null rows on.
          throw new InvalidRecordError(
            'a call log row is null; an object-mode Readable cannot carry it (use paginateCallLogs)',
          );
        }
        if (!this.push(next.value)) return;
      }
    } catch (error) {
      if (!this.destroyed) this.destroy(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Abort first: a pending next() is parked on a request or a retry sleep, and return() would
    // wait for it. The engine's finally then closes the pool.
    this.#stop.abort(error ?? new Error('stream destroyed'));
    const reading = this.#reading ?? Promise.resolve();
    reading
      .then(() => this.#records.return(undefined))
      .then(
        () => callback(error),
        () => callback(error),
      );
  }
}

/**
 * An object-mode Readable of call logs, newest first, each id once, fetched as the consumer
 * reads (at most `concurrency` pages in flight or ahead). Emits `'page'`, `'retry'`,
 * `'progress'`, `'drift'` and `'checkpoint'`; `stream.stats` holds live counters and
 * `stream.checkpoint` the position after the last call pushed. Options are validated now:
 * a bad option throws before any request.
 *
 * @example
 * import { pipeline } from 'node:stream/promises';
 * const source = callLogs({ apiKey: process.env.OMNIDIM_API_KEY ?? '', concurrency: 4 });
 * source.on('progress', (p) => console.error(`${p.records}/${p.totalAtStart}`));
 * await pipeline(source, async function* (calls) { for await (const call of calls) yield `${JSON.stringify(call)}\n`; }, process.stdout);
 */
export function callLogs(options: CallLogsOptions): CallLogStream {
  return new CallLogStream(options);
}

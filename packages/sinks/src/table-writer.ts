import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidOptionError } from '@omnidim-stream/core';
import type { Row, TableSchema } from '@omnidim-stream/transform';
import { AtomicFileStream } from './atomic-file.js';
import { ByteMeter } from './byte-meter.js';
import { SinkError } from './errors.js';

/** Where a table writer sends its bytes. */
export type Destination = string | NodeJS.WritableStream;

/** What a table writer wrote; read it with {@link TableWriter.result} after `'finish'`. */
export interface WrittenFile {
  /** The file path, or `undefined` when the destination was a stream. */
  path: string | undefined;
  rows: number;
  /** Bytes that reached the destination (after compression). */
  bytes: number;
  /** Hex sha256 of those bytes. */
  sha256: string;
}

/** Options every format writer shares. */
export interface TableWriterBaseOptions {
  /** The table's schema: column order, types and nullability come from here only. */
  schema: TableSchema;
  /**
   * A file path (written to a `.`-prefixed temp file, fsync'd and renamed into place on
   * `end()`; `destroy()` leaves nothing under the path) or a writable byte stream, which the
   * writer ends when it finishes.
   */
  destination: Destination;
  /**
   * fsync a file destination before renaming it into place. Default true. The dataset passes
   * false and fsyncs all staged files in parallel at commit, before anything becomes visible:
   * one fsync per closed partition file made many-partition exports several times slower.
   */
  fsync?: boolean;
  /**
   * `false` writes a file destination straight to its path (no temp name, no rename; a
   * destroyed writer still unlinks it): for files that are invisible until their owner publishes
   * them, like the dataset's staged files. Default true.
   */
  atomic?: boolean;
  /** Rows buffered by the Writable before `write()` returns false. Default 64. */
  highWaterMark?: number;
}

/**
 * Base of the format writers (emits `'ready'` once a file destination's temp file is open): an object-mode Writable of rows that encodes them (the format's
 * engine, a plain function of rows) and writes the bytes through an optional compressor, a
 * byte meter and the destination, awaiting `'drain'` whenever the next stage says so
 * (pino-style backpressure), and flushing the encoder's tail in `_final`.
 */
export abstract class TableWriter extends Writable {
  readonly schema: TableSchema;
  #rows = 0;
  readonly #head: NodeJS.WritableStream & Writable;
  /** The stages and the meter, in order: a durable prefix waits for all of them to be empty. */
  readonly #chain: (NodeJS.ReadWriteStream & Writable)[];
  readonly #meter = new ByteMeter();
  readonly #path: string | undefined;
  readonly #file: AtomicFileStream | undefined;
  readonly #done: Promise<void>;
  #pipelineError: unknown;

  /**
   * @param stages Transforms between the encoder and the meter (e.g. csv-stringify, gzip);
   *   the first one (or the meter) receives the chunks `encode()` returns.
   */
  protected constructor(options: TableWriterBaseOptions, stages: (NodeJS.ReadWriteStream & Writable)[]) {
    const highWaterMark = options.highWaterMark ?? 64;
    if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 1) {
      throw new InvalidOptionError('highWaterMark', 'a positive integer', options.highWaterMark);
    }
    super({ objectMode: true, highWaterMark });
    this.schema = options.schema;
    const { destination } = options;
    let target: NodeJS.WritableStream;
    if (typeof destination === 'string') {
      this.#path = destination;
      if (options.fsync !== undefined && typeof options.fsync !== 'boolean') {
        throw new InvalidOptionError('fsync', 'a boolean', options.fsync);
      }
      if (options.atomic !== undefined && typeof options.atomic !== 'boolean') {
        throw new InvalidOptionError('atomic', 'a boolean', options.atomic);
      }
      this.#file = new AtomicFileStream(destination, options.fsync ?? true, options.atomic ?? true);
      this.#file.once('ready', () => this.emit('ready'));
      target = this.#file;
    } else if (destination && typeof destination.write === 'function') {
      target = destination;
    } else {
      throw new InvalidOptionError('destination', 'a file path or a writable stream', destination);
    }
    const chain = [...stages, this.#meter];
    this.#chain = chain;
    this.#head = chain[0]!;
    this.#done = (pipeline as (...streams: unknown[]) => Promise<void>)(...chain, target).catch(
      (error: unknown) => {
        this.#pipelineError = error;
        // Surface a failing file or compressor on this Writable even when no write is pending.
        if (!this.destroyed) this.destroy(asSinkError(error));
      },
    );
  }

  /** Rows accepted so far. */
  get rowsWritten(): number {
    return this.#rows;
  }

  /** Bytes that reached the destination so far (compressed; Parquet: flushed row groups only). */
  get bytesWritten(): number {
    return this.#meter.bytes;
  }

  /** What was written; throws before `'finish'`. */
  result(): WrittenFile {
    if (!this.writableFinished) throw new SinkError('result() is only available after the writer finished');
    return { path: this.#path, rows: this.#rows, bytes: this.#meter.bytes, sha256: this.#meter.sha256() };
  }

  /**
   * Writes a batch of rows as one chunk (one encode, one hop through the stream) and returns
   * what `write()` would: false means wait for `'drain'`. `highWaterMark` then counts batches.
   *
   * @example
   * if (!writer.writeRows(log.tables.interactions)) await once(writer, 'drain');
   */
  writeRows(rows: readonly Row[]): boolean {
    return this.write(new RowBatch(rows));
  }

  /**
   * Makes every row written so far durable without ending the file (a part file kept open across
   * a checkpoint, staged-parts.ts): waits until those rows' bytes went through every stage into
   * the file, fsyncs it, and returns rows, bytes and the sha256 of that prefix (the meter's
   * running hash, copied). Only meaningful for a format that can be cut at any byte (plain NDJSON
   * or CSV: a gzip stage holds bytes back, Parquet needs its footer). Call with no write pending
   * from the caller's side; from then on `destroy()` leaves the file in place.
   */
  async durablePrefix(): Promise<WrittenFile> {
    const file = this.#file;
    if (!file) throw new SinkError('durablePrefix() needs a file destination');
    await new Promise<void>((resolve, reject) =>
      this.write(BARRIER, (error) => (error ? reject(asSinkError(error)) : resolve())),
    );
    await this.#settled(file);
    await file.sync();
    return {
      path: this.#path,
      rows: this.#rows,
      bytes: this.#meter.bytes,
      sha256: this.#meter.prefixSha256(),
    };
  }

  /**
   * Resolves once no stage and not the file hold bytes: every byte encoded so far is written.
   * Stages transform synchronously, so each turn of the event loop moves bytes on; the file's
   * writes complete in the thread pool ('written'). Bounded by SETTLE_TURNS turns of the stages.
   */
  async #settled(file: AtomicFileStream): Promise<void> {
    for (let turns = 0; ; ) {
      if (this.#pipelineError !== undefined || this.destroyed || file.destroyed) {
        throw asSinkError(this.#pipelineError ?? new SinkError('The writer was destroyed'));
      }
      const staged = this.#chain.some(
        (s) => s.writableLength > 0 || (s as unknown as Readable).readableLength > 0,
      );
      if (!staged && file.writableLength === 0) return;
      if (staged) {
        if (++turns > SETTLE_TURNS)
          throw new SinkError('A part file did not take its bytes (stalled pipeline)');
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        await new Promise<void>((resolve) => {
          const done = () => {
            file.off('written', done).off('close', done);
            resolve();
          };
          file.on('written', done).on('close', done);
        });
      }
    }
  }

  /** Encodes rows into chunks for the first stage. Throws `SinkError` on a row that breaks the schema. */
  protected abstract encode(rows: readonly Row[]): unknown[];

  /**
   * Chunks the encoder holds back (e.g. NDJSON's partly filled chunk), for a durable prefix to
   * cover every row written; the encoder goes on after it. Default: nothing is held.
   */
  protected flushEncoding(): unknown[] {
    return [];
  }

  /** Chunks that end the output (e.g. a Parquet footer). */
  protected abstract finishEncoding(): unknown[];

  /**
   * Awaited before every `encode()` and `finishEncoding()`: what the encoder needs that can only
   * be had asynchronously (the Parquet writer's WebAssembly ZSTD compressor). Default: nothing.
   */
  protected prepare(): Promise<void> | undefined {
    return undefined;
  }

  override _write(
    chunk: Row | RowBatch | typeof BARRIER,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (chunk === BARRIER) {
      this.#send(this.flushEncoding()).then(() => callback(), callback);
      return;
    }
    this.#push(chunk instanceof RowBatch ? chunk.rows : [chunk]).then(() => callback(), callback);
  }

  override _writev(
    chunks: { chunk: Row | RowBatch | typeof BARRIER }[],
    callback: (error?: Error | null) => void,
  ): void {
    const rows: Row[] = [];
    let barrier = false;
    for (const { chunk } of chunks) {
      if (chunk === BARRIER) barrier = true;
      else if (chunk instanceof RowBatch) for (const row of chunk.rows) rows.push(row);
      else rows.push(chunk);
    }
    // A barrier is the last chunk (durablePrefix waits for it before anything else is written).
    this.#push(rows)
      .then(() => (barrier ? this.#send(this.flushEncoding()) : undefined))
      .then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      await this.prepare();
      await this.#send(this.finishEncoding());
      this.#head.end();
      await this.#done;
      if (this.#pipelineError !== undefined) throw asSinkError(this.#pipelineError);
    })().then(
      () => callback(),
      (error: unknown) => callback(asSinkError(error)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Destroying the head tears the whole pipeline down; the atomic file then unlinks its temp.
    if (!this.#head.destroyed) this.#head.destroy(error ?? undefined);
    const file = this.#file;
    this.#done
      .then(async () => {
        // pipeline() settles on the first error, before the file's own _destroy has unlinked
        // its temp file; wait for 'close' so "destroyed" really means "nothing left on disk".
        if (file && !file.closed) {
          file.destroy();
          await new Promise((resolve) => file.once('close', resolve));
        }
      })
      .then(() => callback(error));
  }

  async #push(rows: readonly Row[]): Promise<void> {
    await this.prepare();
    const chunks = this.encode(rows);
    this.#rows += rows.length;
    await this.#send(chunks);
  }

  async #send(chunks: unknown[]): Promise<void> {
    for (const chunk of chunks) {
      if (!this.#head.write(chunk as Buffer)) await drained(this.#head);
    }
  }
}

/** Written by {@link TableWriter.durablePrefix}: its callback runs once every earlier row is encoded. */
const BARRIER = Symbol('omnidim-stream.table-writer-barrier');

/** Event-loop turns {@link TableWriter.durablePrefix} waits for the stages to empty before failing. */
const SETTLE_TURNS = 100_000;

/** Rows written together by {@link TableWriter.writeRows}. */
class RowBatch {
  constructor(readonly rows: readonly Row[]) {}
}

/** Resolves on `'drain'`, rejects if the stream errors or closes first (or already has). */
export function drained(stream: NodeJS.EventEmitter): Promise<void> {
  // A stream that failed before we got here (a writer whose file hit ENOSPC while idle) emits
  // neither 'drain' nor 'close' again: waiting for them would hang the run forever.
  const writable = stream as Partial<Writable>;
  if (writable.destroyed === true) {
    return Promise.reject(
      asSinkError(writable.errored ?? new SinkError('The output closed before it drained')),
    );
  }
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(asSinkError(error));
    };
    const onClose = () => {
      cleanup();
      reject(new SinkError('The output closed before it drained'));
    };
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function asSinkError(error: unknown): Error {
  if (error instanceof SinkError) return error;
  return new SinkError(error instanceof Error ? error.message : 'Write failed', { cause: error });
}

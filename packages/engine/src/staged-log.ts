import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { errnoOf, FILE_MODE, makeDir, SinkError } from '@omnidim-stream/sinks';
import { wellFormedJsonText } from '@omnidim-stream/transform';

/** One open stretch of the file: a gzip member (gzip logs) or plain appends. */
interface Segment {
  writer: Gzip | WriteStream;
  done: Promise<void>;
}

/**
 * An append-only NDJSON file in the run's staging dir (the quarantine, the `--raw` archive),
 * committed with the data by the dataset sink as a sidecar. It can be checkpointed: a checkpoint
 * flushes and fsyncs it and returns its durable length, which the sink records; a resumed run
 * truncates the file to that length (the sink does it when it adopts the staging dir) and
 * appends. Gzip logs end one gzip member per checkpoint: concatenated members are one valid gzip
 * file (RFC 1952 §2.2; `gunzip`, zlib and DuckDB read them all), so no compressor state needs to
 * survive a crash.
 *
 * @example
 * ```ts
 * const log = await StagedLog.open('out/_staging/run-1/_sidecars/quarantine.ndjson', { gzip: false });
 * await log.write({ reason: 'MISSING_ID' });
 * const bytes = await log.checkpoint(); // durable so far
 * await log.finish();
 * ```
 */
export class StagedLog {
  readonly path: string;
  readonly gzip: boolean;
  /** Records in the file (including those of a resumed run's checkpoint). */
  records: number;
  #segment: Segment | undefined;
  #failure: unknown;

  private constructor(path: string, gzip: boolean, records: number) {
    this.path = path;
    this.gzip = gzip;
    this.records = records;
  }

  /** Opens (appending; created on the first write) a log; `records` counts those already in it. */
  static async open(path: string, options: { gzip: boolean; records?: number }): Promise<StagedLog> {
    await makeDir(dirname(path));
    return new StagedLog(path, options.gzip, options.records ?? 0);
  }

  /** Appends one JSON line, waiting for `'drain'` when the buffer is full. */
  async write(value: unknown): Promise<void> {
    if (this.#failure)
      throw new SinkError(`Cannot write ${this.path} (${errnoOf(this.#failure)})`, { cause: this.#failure });
    this.#segment ??= this.#openSegment();
    const segment = this.#segment;
    this.records += 1;
    // Well-formed text: a lone surrogate escape would make DuckDB refuse the whole file (issue 13).
    if (!segment.writer.write(`${wellFormedJsonText(JSON.stringify(value))}\n`)) {
      await Promise.race([once(segment.writer, 'drain'), segment.done]);
    }
  }

  /**
   * Ends the open segment, fsyncs, and returns the durable length in bytes, or `undefined` when
   * nothing was ever written (no file).
   */
  async checkpoint(): Promise<number | undefined> {
    await this.#endSegment();
    const size = await stat(this.path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) return undefined;
    try {
      const handle = await open(this.path, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new SinkError(`Cannot sync ${this.path} (${errnoOf(error)})`, { cause: error });
    }
    return size;
  }

  /** Flushes and closes (the sink fsyncs sidecars before its commit). */
  async finish(): Promise<void> {
    await this.#endSegment();
  }

  /** Stops writing without flushing (failed run; the sink removes or keeps the staging dir). */
  destroy(): void {
    this.#segment?.writer.destroy();
    this.#segment = undefined;
  }

  #openSegment(): Segment {
    const file = createWriteStream(this.path, { flags: 'a', mode: FILE_MODE });
    let writer: Gzip | WriteStream = file;
    let done: Promise<void>;
    if (this.gzip) {
      const gzip = createGzip();
      writer = gzip;
      done = pipeline(gzip, file);
    } else {
      done = finished(file);
    }
    // Observed by write()/checkpoint(); never an unhandled rejection.
    done = done.catch((error: unknown) => {
      this.#failure ??= error;
    });
    return { writer, done };
  }

  async #endSegment(): Promise<void> {
    const segment = this.#segment;
    this.#segment = undefined;
    if (segment) {
      segment.writer.end();
      await segment.done;
    }
    if (this.#failure)
      throw new SinkError(`Cannot write ${this.path} (${errnoOf(this.#failure)})`, { cause: this.#failure });
  }
}

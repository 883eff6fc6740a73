import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { SinkError } from '@omnidim-stream/core';

/** The folder of the dataset that `--raw` writes to. */
export const RAW_DIR = 'raw';

/**
 * `export --raw`: every call log exactly as received, one JSON line each, gzip-compressed, so a
 * later `convert` can rebuild the tables (e.g. with a new schema version) without calling the API.
 *
 * Bytes go to a `_`-prefixed temp file in `raw/` (readers globbing `raw/*.ndjson.gz` never see
 * it); {@link RawArchive.commit} renames it into place only after the tables were committed, and
 * {@link RawArchive.discard} removes it when the run fails or is interrupted.
 *
 * @example
 * ```ts
 * const raw = await RawArchive.open('out', 'run-1');
 * await raw.write({ id: 1 });
 * const path = await raw.commit(); // out/raw/calls-run-1.ndjson.gz
 * ```
 */
export class RawArchive {
  readonly path: string;
  readonly tempPath: string;
  readonly #gzip: Gzip;
  readonly #file: WriteStream;
  readonly #closed: Promise<void>;
  #failure: unknown;
  #finished = false;
  records = 0;

  private constructor(dir: string, runId: string) {
    this.path = join(dir, `calls-${runId}.ndjson.gz`);
    this.tempPath = join(dir, `_tmp-calls-${runId}.ndjson.gz`);
    this.#gzip = createGzip();
    this.#file = createWriteStream(this.tempPath, { flags: 'wx' });
    this.#closed = pipeline(this.#gzip, this.#file).catch((error: unknown) => {
      this.#failure = error;
    });
  }

  /** Creates `raw/` under `outDir` and opens the temp file. */
  static async open(outDir: string, runId: string): Promise<RawArchive> {
    const dir = join(outDir, RAW_DIR);
    await mkdir(dir, { recursive: true });
    return new RawArchive(dir, runId);
  }

  /** Appends one record, waiting for `'drain'` when the compressor's buffer is full. */
  async write(record: unknown): Promise<void> {
    if (this.#failure) throw new SinkError(`Cannot write ${this.tempPath}`, { cause: this.#failure });
    this.records += 1;
    if (!this.#gzip.write(`${JSON.stringify(record)}\n`)) await once(this.#gzip, 'drain');
  }

  /** Flushes, closes and fsyncs the temp file (called before the tables are committed). */
  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#gzip.end();
    await this.#closed;
    if (this.#failure) throw new SinkError(`Cannot write ${this.tempPath}`, { cause: this.#failure });
    try {
      // fsync before the rename, as for every data file (a rename can outlive unsynced data).
      const handle = await open(this.tempPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new SinkError(`Cannot sync ${this.tempPath}`, { cause: error });
    }
  }

  /** Renames the archive into place (after the tables were committed); returns its final path. */
  async commit(): Promise<string> {
    await this.finish();
    try {
      await rename(this.tempPath, this.path);
    } catch (error) {
      throw new SinkError(`Cannot commit ${this.path}`, { cause: error });
    }
    return this.path;
  }

  /** Drops the temp file (failed or interrupted run). Never throws. */
  async discard(): Promise<void> {
    this.#gzip.destroy();
    this.#file.destroy();
    await rm(this.tempPath, { force: true }).catch(() => undefined);
  }
}

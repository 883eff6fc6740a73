import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Writable } from 'node:stream';
import { errnoOf, FILE_MODE, tempPath } from './dataset-layout.js';
import { SinkError } from './errors.js';

/**
 * A byte stream into `path` that never exposes a partial file under that name: bytes go to a
 * sibling temp file whose name starts with `.` (never data, see the dataset layout), which is
 * fsync'd and renamed onto `path` only in `_final`. `destroy()` (or an error) unlinks the temp
 * file; a killed process leaves only a dot-file, which the dataset removes at its next start.
 */
export class AtomicFileStream extends Writable {
  readonly path: string;
  readonly tempPath: string;
  #handle: FileHandle | undefined;
  #committed = false;
  /** Set by {@link sync}: a prefix of the file is recorded as durable, so destroy() keeps it. */
  #durable = false;
  readonly #fsync: boolean;
  readonly #atomic: boolean;

  /**
   * @param fsync `false` skips the fsync before the rename (the caller fsyncs later, e.g. in a batch).
   * @param atomic `false` writes straight to `path` (no temp name, no rename): for files that are
   *   invisible until their owner publishes them anyway, like the dataset's `.staged` files.
   *   `destroy()` still unlinks the partial file.
   */
  constructor(path: string, fsync = true, atomic = true) {
    super({ highWaterMark: 1 << 20 });
    this.path = path;
    this.#fsync = fsync;
    this.#atomic = atomic;
    this.tempPath = atomic ? tempPath(dirname(path), basename(path), randomBytes(4).toString('hex')) : path;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // 'wx': a stale temp name from another writer must never be appended to.
    open(this.tempPath, 'wx', FILE_MODE).then(
      (handle) => {
        this.#handle = handle;
        callback();
        // Like fs.WriteStream: the temp file exists from here on.
        this.emit('ready');
      },
      (error: unknown) =>
        callback(new SinkError(`Cannot create ${this.tempPath} (${errnoOf(error)})`, { cause: error })),
    );
  }

  /**
   * fsyncs the bytes written so far without closing the file (a part file kept open across a
   * checkpoint). From here on `destroy()` closes the file but leaves it in place: its owner
   * recorded that prefix (a checkpoint) and decides whether the file stays.
   */
  async sync(): Promise<void> {
    // A file that got no byte yet may still be opening (_construct).
    if (!this.#handle && !this.destroyed && !this.#committed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.off('ready', done).off('close', done);
          resolve();
        };
        this.on('ready', done).on('close', done);
      });
    }
    const handle = this.#handle;
    if (!handle) throw new SinkError(`Cannot sync ${this.tempPath}: it is not open`);
    try {
      await handle.sync();
    } catch (error) {
      throw new SinkError(`Cannot sync ${this.tempPath} (${errnoOf(error)})`, { cause: error });
    }
    this.#durable = true;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#handle!.write(chunk).then(
      () => {
        callback();
        this.emit('written');
      },
      (error: unknown) =>
        callback(new SinkError(`Cannot write ${this.tempPath} (${errnoOf(error)})`, { cause: error })),
    );
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#handle!.writev(chunks.map((c) => c.chunk)).then(
      () => {
        callback();
        this.emit('written');
      },
      (error: unknown) =>
        callback(new SinkError(`Cannot write ${this.tempPath} (${errnoOf(error)})`, { cause: error })),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    const handle = this.#handle!;
    // fsync before rename: otherwise a power loss can leave the final name pointing at an
    // empty or short file (the classic ext4 "rename without fsync" data loss).
    (this.#fsync ? handle.sync() : Promise.resolve())
      .then(() => handle.close())
      .then(() => {
        this.#handle = undefined;
        return this.#atomic ? rename(this.tempPath, this.path) : undefined;
      })
      .then(
        () => {
          this.#committed = true;
          callback();
        },
        (error: unknown) =>
          callback(new SinkError(`Cannot commit ${this.path} (${errnoOf(error)})`, { cause: error })),
      );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = undefined;
    if (this.#committed) {
      callback(error);
      return;
    }
    if (this.#durable) {
      handle?.close().then(
        () => callback(error),
        () => callback(error),
      );
      return;
    }
    (async () => {
      await handle?.close().catch(() => undefined);
      await unlink(this.tempPath).catch(() => undefined);
    })().then(() => callback(error));
  }
}

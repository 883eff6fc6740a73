/**
 * The part files of one run in its staging dir: at most one open file per table, rotation by
 * partition and size, closes in the background (bounded), and which files and dirs still need
 * an fsync before a checkpoint or the commit may name them.
 */
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { LimitExceededError } from '@omnidim-stream/core';
import type { Row, TableName, TableSchema } from '@omnidim-stream/transform';
import type { ByteWrite } from './byte-source.js';
import type { StagedFileInfo } from './dataset-checkpoint.js';
import {
  datasetPath,
  makeConfinedDir,
  partFileName,
  partFileRel,
  STAGING_DIR,
  stagedPartRel,
  stagingRel,
  tablePartitionRel,
} from './dataset-layout.js';
import type { PartDestination, WriterFactory } from './dataset-writers.js';
import { SinkError } from './errors.js';
import { type StreamedParts, streamedPartsOf } from './lake-file-fetch.js';
import { openPartUpload, type PartUpload, uploadedEtag } from './object-part-upload.js';
import { writeStagedBytes } from './staged-bytes.js';
import { drained, type TableWriter } from './table-writer.js';

/** Part files flushing/closing in the background at once (open files stay ≤ tables + this). */
const MAX_CLOSING = 16;
/**
 * The same for part files streamed to object storage: each closing upload may still hold its
 * last parts in memory (object-part-upload.ts), so fewer at once.
 */
const MAX_CLOSING_STREAMED = 4;

/** fsyncs in flight at once at a checkpoint or the commit (the libuv pool has 4 threads; the disk queues the rest). */
const FSYNC_CONCURRENCY = 32;

/**
 * Part-file extensions whose files a checkpoint keeps open (see {@link StagedParts.checkpoint}):
 * plain NDJSON and CSV can be cut after any flushed byte. Not gzip (the compressor holds bytes
 * back and a cut member has no trailer) nor Parquet (a file needs its footer).
 */
const GROWING_EXTENSIONS: ReadonlySet<string> = new Set(['ndjson', 'csv']);

/** What {@link StagedParts} needs to know about the run. */
export interface StagedPartsConfig {
  /** The dataset root. */
  root: string;
  runId: string;
  /** Part-file extension (`parquet`, `ndjson.gz`, …). */
  extension: string;
  schemas: Readonly<Record<TableName, TableSchema>>;
  rowsPerFile: number;
  bytesPerFile: number;
  maxFiles: number;
  /**
   * Where part files are streamed while written (an `s3://` dataset). Set by the run for a
   * worker thread's StagedParts, which cannot see the main thread's attachment
   * (lake-file-fetch.ts); else taken from that attachment.
   */
  streamTo?: StreamedParts | undefined;
}

interface OpenFile {
  partition: string;
  date: string | null;
  name: string;
  writer: TableWriter;
  /** The upload a streamed file's writer writes to (its ETag goes into the file's record). */
  upload: PartUpload | undefined;
}

/** The staged part files of one run (see the module comment). */
export class StagedParts {
  readonly #config: StagedPartsConfig;
  #factory: WriterFactory | undefined;
  readonly #open = new Map<TableName, OpenFile>();
  /** Closed, complete part files, in the order they were closed. */
  readonly #staged: StagedFileInfo[] = [];
  /** Files being closed in the background (bounded by MAX_CLOSING), and the first close failure. */
  readonly #closing = new Set<Promise<void>>();
  #closeError: unknown;
  /**
   * Part files being opened (their staging dirs created): `destroy()` waits for them, so no dir
   * or file of this run appears after the caller removed the staging dir (a signal during a
   * write: bin.built-binary.test.ts's SIGINT case left two `.staged` files behind).
   */
  readonly #opening = new Set<Promise<unknown>>();
  #destroyed = false;
  /** Staging partition dirs created (or adopted), dataset-relative. */
  readonly #stagingDirs = new Set<string>();
  /**
   * `#staged[0 … #syncedUpTo)` are fsync'd (by a checkpoint, or adopted). Checkpoints and the
   * commit drain every close first, so the files after it are exactly the unsynced ones.
   */
  #syncedUpTo = 0;
  /** Staging dirs (real paths) that got new entries since the last fsync of them. */
  readonly #dirtyDirs = new Set<string>();
  #seq = 0;
  /** Where part files are streamed while written (an `s3://` dataset), or undefined (on disk). */
  readonly #streamTo: StreamedParts | undefined;
  /** Set by {@link shareSequence}: the run's sequence, shared with worker threads' writers. */
  #sequence: Int32Array | undefined;

  constructor(config: StagedPartsConfig) {
    this.#config = config;
    this.#streamTo = config.streamTo ?? streamedPartsOf(config.root);
  }

  /** Sets the format's writer; no file can be opened before. */
  useWriters(factory: WriterFactory): void {
    this.#factory = factory;
  }

  /** Next part-file sequence number. */
  get seq(): number {
    return this.#sequence ? Atomics.load(this.#sequence, 0) : this.#seq;
  }

  /**
   * Draws part-file sequence numbers from `sequence[0]` (a SharedArrayBuffer) from now on, after
   * storing the next number there: writers in worker threads draw from the same counter, so
   * every part file of the run gets a unique name and `maxFiles` bounds them all (issue 21).
   */
  shareSequence(sequence: Int32Array): void {
    Atomics.store(sequence, 0, this.#seq);
    this.useSequence(sequence);
  }

  /** Draws part-file sequence numbers from a counter another StagedParts shared. */
  useSequence(sequence: Int32Array): void {
    this.#sequence = sequence;
  }

  /**
   * Takes over part files another thread's StagedParts closed and fsync'd (with their dirs) in
   * this run's staging dir: from here on they are the run's like its own. Only when every own file
   * is synced too, so the files after `#syncedUpTo` stay exactly the unsynced ones.
   */
  addSynced(files: readonly StagedFileInfo[]): void {
    if (this.#syncedUpTo !== this.#staged.length) {
      throw new Error('StagedParts.addSynced: own files are not synced (call closeAll and sync first)');
    }
    for (const f of files) {
      this.#staged.push({ ...f });
      this.#stagingDirs.add(stagingRel(this.#config.runId, tablePartitionRel(f.table, f.partition)));
    }
    this.#syncedUpTo = this.#staged.length;
  }

  /** The closed part files (copies). */
  get files(): StagedFileInfo[] {
    return this.#staged.map((f) => ({ ...f }));
  }

  /** Takes over a checkpoint's files (already closed and fsync'd) and sequence number. */
  adopt(files: readonly StagedFileInfo[], seq: number): void {
    for (const f of files) {
      this.#staged.push({ ...f });
      this.#stagingDirs.add(stagingRel(this.#config.runId, tablePartitionRel(f.table, f.partition)));
    }
    this.#syncedUpTo = this.#staged.length;
    this.#seq = seq;
  }

  /**
   * Forgets staged files whose rows were rewritten into others (partition-rewrite.ts): they are
   * no longer part of the run (their bytes go with the staging dir). Call right after
   * {@link sync}: every remaining file is then fsync'd.
   */
  drop(files: readonly StagedFileInfo[]): void {
    const gone = new Set(files.map((f) => `${f.table}/${f.partition}/${f.name}`));
    const kept = this.#staged.filter((f) => !gone.has(`${f.table}/${f.partition}/${f.name}`));
    this.#staged.splice(0, this.#staged.length, ...kept);
    this.#syncedUpTo = this.#staged.length;
  }

  /** The size limits of one part file, and the part files' extension. */
  get limits(): { rowsPerFile: number; bytesPerFile: number; extension: string } {
    const { rowsPerFile, bytesPerFile, extension } = this.#config;
    return { rowsPerFile, bytesPerFile, extension };
  }

  /**
   * Stages a new part file of `table`'s `partition` written from bytes by `fill` (the commit's
   * byte merge of small files, partition-rewrite.ts): a unique part name, streamed to the bucket
   * when parts are, recorded with the rows `fill` counted, its bytes and sha256, and fsync'd by
   * the next {@link sync} like every file closed since the last one. Call with no file open.
   */
  async stageBytes(
    table: TableName,
    partition: string,
    date: string | null,
    fill: (write: ByteWrite) => Promise<{ rows: number; bytes: number }>,
  ): Promise<StagedFileInfo> {
    const name = this.#nextName();
    const written = await writeStagedBytes(await this.#destination(table, partition, name), fill);
    const file: StagedFileInfo = { table, partition, date, name, ...written };
    this.#staged.push(file);
    return { ...file };
  }

  /** Throws the first failure of a writer closing in the background or failing while idle. */
  throwIfFailed(): void {
    if (this.#closeError !== undefined) throw this.#closeError;
  }

  /**
   * Appends one call's rows of `table` to that table's open file, first rotating to a new file
   * when the partition changed, and closing it once it reached `rowsPerFile` or `bytesPerFile`.
   */
  async write(table: TableName, partition: string, date: string | null, rows: Row[]): Promise<void> {
    let file = this.#open.get(table);
    // Calls arrive newest first: a new partition means the previous one is done for now.
    // If it comes back later, it gets a new part file rather than staying open (the commit
    // merges a partition's small files into right-sized ones: partition-rewrite.ts).
    if (file && file.partition !== partition) {
      await this.#close(table, file);
      file = undefined;
    }
    file ??= await this.#openFile(table, partition, date);
    // One chunk per call and table: encoded and hashed as a batch, not row by row.
    if (!file.writer.writeRows(rows)) await drained(file.writer);
    const { rowsPerFile, bytesPerFile } = this.#config;
    if (file.writer.rowsWritten >= rowsPerFile || file.writer.bytesWritten >= bytesPerFile) {
      await this.#close(table, file);
    }
  }

  /**
   * Makes every row written so far durable for a checkpoint, and returns the files that stay
   * open. A local file of a format that can be cut at any byte (GROWING_EXTENSIONS) is flushed
   * and fsync'd, not closed: it keeps growing until it rolls over, its partition changes or the
   * run ends, so a partition spanning several checkpoints is one file the commit need not merge
   * (issue 21). Its entry holds the durable length, rows and the sha256 of that prefix; a resume
   * truncates the file to it (dataset-adoption.ts). Every other file is closed, as by
   * {@link closeAll}. Call {@link sync} next: it fsyncs the closed files and every staging dir.
   */
  async checkpoint(): Promise<StagedFileInfo[]> {
    const grows = this.#streamTo === undefined && GROWING_EXTENSIONS.has(this.#config.extension);
    if (!grows) {
      await this.closeAll();
      return [];
    }
    const open = [...this.#open];
    const prefixes = await Promise.all(open.map(([, file]) => file.writer.durablePrefix()));
    await Promise.all(this.#closing);
    this.throwIfFailed();
    return open.map(([table, file], i) => {
      const { rows, bytes, sha256 } = prefixes[i]!;
      return { table, partition: file.partition, date: file.date, name: file.name, rows, bytes, sha256 };
    });
  }

  /** Closes every open file and waits for every close: all staged files are then complete. */
  async closeAll(): Promise<void> {
    for (const [table, file] of [...this.#open]) await this.#close(table, file);
    await Promise.all(this.#closing);
    this.throwIfFailed();
  }

  /**
   * fsyncs the staged files closed since the last sync, the staging dirs that got entries since
   * then, and `extra` paths. Call after {@link closeAll} or {@link checkpoint} (every staged file
   * is complete; a file still open was fsync'd by the checkpoint).
   */
  async sync(extra: readonly string[]): Promise<void> {
    // Streamed part files are complete objects in the bucket once closed: nothing local to fsync.
    const fresh = this.#staged
      .slice(this.#syncedUpTo)
      .filter(() => this.#streamTo === undefined)
      .map((f) => datasetPath(this.#config.root, stagedPartRel(this.#config.runId, f)));
    const dirs = [...this.#dirtyDirs];
    // Files first, then the dirs holding their entries (#openFile marks a new dir's parents).
    await fsyncAll([...fresh, ...extra]);
    await fsyncAll(dirs);
    this.#syncedUpTo = this.#staged.length;
    for (const dir of dirs) this.#dirtyDirs.delete(dir);
  }

  /** Destroys the open writers (their files stay half-written, for the caller to delete). */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    await Promise.all([...this.#opening].map((opening) => opening.catch(() => undefined)));
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(this.#closing);
    for (const file of open) {
      file.writer.destroy();
      await finished(file.writer).catch(() => undefined);
    }
  }

  /** Creates the staging dir of a part file written to disk (and marks what to fsync); its path. */
  async #stagedPath(table: TableName, partition: string, name: string): Promise<string> {
    const { root, runId } = this.#config;
    const dirRel = stagingRel(runId, tablePartitionRel(table, partition));
    const dir = datasetPath(root, dirRel);
    if (!this.#stagingDirs.has(dirRel)) {
      await makeConfinedDir(root, dirRel, 'the staging dir');
      this.#stagingDirs.add(dirRel);
      // A new dir's own entry lives in its parents: they must be durable too.
      this.#dirtyDirs
        .add(datasetPath(root, stagingRel(runId, table)))
        .add(datasetPath(root, stagingRel(runId)))
        .add(datasetPath(root, STAGING_DIR));
    }
    this.#dirtyDirs.add(dir);
    return datasetPath(root, stagedPartRel(runId, { table, partition, name }));
  }

  /** The next part file's unique name (the run's shared sequence), within `maxFiles`. */
  #nextName(): string {
    const { maxFiles } = this.#config;
    const seq = this.#sequence ? Atomics.add(this.#sequence, 0, 1) : this.#seq++;
    if (seq >= maxFiles) {
      throw new LimitExceededError('maxFiles', `a run may write at most ${maxFiles} files`);
    }
    return partFileName(this.#config.runId, seq, this.#config.extension);
  }

  /**
   * Where a new part file goes. Streamed: straight to the file's final key (its name carries the
   * run id: never overwritten); the working copy gets neither the file nor its staging dir.
   */
  async #destination(table: TableName, partition: string, name: string): Promise<PartDestination> {
    return this.#streamTo
      ? { ...this.#streamTo, key: partFileRel({ table, partition, name }) }
      : await this.#stagedPath(table, partition, name);
  }

  async #openFile(table: TableName, partition: string, date: string | null): Promise<OpenFile> {
    const name = this.#nextName();
    const pending = this.#destination(table, partition, name);
    this.#opening.add(pending);
    let destination: PartDestination;
    try {
      destination = await pending;
    } finally {
      this.#opening.delete(pending);
    }
    if (this.#destroyed) throw new SinkError('The run was stopped while a part file was being opened');
    const sink = typeof destination === 'string' ? destination : openPartUpload(destination);
    const writer = this.#factory!(this.#config.schemas[table], sink);
    const upload = typeof sink === 'string' ? undefined : sink;
    // An idle writer can fail too (its file hit ENOSPC while flushing in the background): keep
    // the error for the next write, checkpoint or commit instead of an unhandled 'error' event.
    writer.on('error', (error: unknown) => {
      this.#closeError ??= error;
    });
    const file: OpenFile = { partition, date, name, writer, upload };
    this.#open.set(table, file);
    return file;
  }

  /**
   * Closes a part file without waiting for it: flushing, closing and renaming are a chain of
   * thread-pool round trips, and with one partition per day most files are small, so waiting for
   * each serialised the run. At most MAX_CLOSING closes are in flight; all are awaited at commit.
   */
  async #close(table: TableName, file: OpenFile): Promise<void> {
    this.#open.delete(table);
    const closing = this.#finishFile(table, file).catch((error: unknown) => {
      this.#closeError ??= error;
    });
    this.#closing.add(closing);
    closing.finally(() => this.#closing.delete(closing));
    const limit = this.#streamTo ? MAX_CLOSING_STREAMED : MAX_CLOSING;
    while (this.#closing.size >= limit) await Promise.race(this.#closing);
    this.throwIfFailed();
  }

  async #finishFile(table: TableName, file: OpenFile): Promise<void> {
    file.writer.end();
    await finished(file.writer);
    const result = file.writer.result();
    this.#staged.push({
      table,
      partition: file.partition,
      date: file.date,
      name: file.name,
      rows: result.rows,
      bytes: result.bytes,
      sha256: result.sha256,
      ...uploadedEtag(file.upload),
    });
  }
}

/** fsyncs every path, at most FSYNC_CONCURRENCY at once (a pool: no batch waits for its slowest). */
async function fsyncAll(paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const handle = await open(paths[next++]!, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FSYNC_CONCURRENCY, paths.length) }, worker));
}

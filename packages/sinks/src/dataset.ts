import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { InvalidOptionError, isOmnidimError, LimitExceededError, SinkError } from '@omnidim-stream/core';
import {
  type FlatCallLog,
  type Row,
  SCHEMAS,
  TABLE_NAMES,
  type TableName,
  type TableSchema,
} from '@omnidim-stream/transform';
import {
  adoptCheckpoint,
  CHECKPOINT_NAME,
  type CheckpointRequest,
  DATASET_CHECKPOINT_VERSION,
  type DatasetCheckpoint,
  isCheckpointRequest,
  readCheckpoint,
  type StagedFileInfo,
} from './dataset-checkpoint.js';
import {
  applyCommit,
  type CommitJournal,
  type CommitStep,
  CommittedWithCleanupError,
  JOURNAL_NAME,
  recover,
  STAGING_DIR,
} from './dataset-commit.js';
import { confined, isSafeRelative, makeConfinedDir, makeDir } from './dataset-layout.js';
import { acquireLock, LOCK_NAME, releaseLock } from './dataset-lock.js';
import { COMPRESSIONS, DEFAULT_FORMAT, defaultCompression, FORMATS, type Format } from './formats.js';
import {
  type DatasetManifest,
  MANIFEST_NAME,
  type ManifestFile,
  type ManifestSidecar,
  readManifest,
  type SourceStats,
  sha256File,
  writeFileAtomic,
} from './manifest.js';
import { isBoolean, oneOf, positiveInteger } from './option-checks.js';
import { partitionDir } from './partition.js';
import { drained, type TableWriter } from './table-writer.js';

export type {
  CheckpointRequest,
  DatasetCheckpoint,
  StagedFileInfo,
  StagedSidecarInfo,
} from './dataset-checkpoint.js';
export { CHECKPOINT_NAME, checkpointRequest, isCheckpointRequest } from './dataset-checkpoint.js';
export type { CommitStep } from './dataset-commit.js';
export { COMMIT_STEPS } from './dataset-commit.js';
export { confined, DIR_MODE, errnoOf, FILE_MODE, makeDir } from './dataset-layout.js';
export { LOCK_NAME, STALE_LOCK_RULE } from './dataset-lock.js';
export type {
  DatasetManifest,
  ManifestFile,
  ManifestMismatch,
  ManifestSidecar,
  ManifestTable,
  SourceStats,
} from './manifest.js';
export { MANIFEST_NAME, readManifest, verifyManifestFiles } from './manifest.js';
export { HIVE_DEFAULT_PARTITION, partitionDir } from './partition.js';

/** Output formats of a dataset ({@link FORMATS}). */
export type DatasetFormat = Format;

/**
 * - `overwrite`: the committed dataset is exactly this run's files (every table directory is
 *   cleaned of files not in the new manifest).
 * - `replacePartitions`: only the `(table, date)` partitions this run wrote are replaced; the
 *   previous manifest's files of other partitions are kept (basis of incremental runs).
 */
export type DatasetMode = 'overwrite' | 'replacePartitions';

/** What `beforeCommit` sees: the run's files are complete and staged, nothing is visible yet. */
export interface DatasetRunSummary {
  runId: string;
  callsReceived: number;
  rows: Partial<Record<TableName, number>>;
  files: number;
}

/**
 * A file the caller wrote into the run's staging dir ({@link DatasetSink.stagingDir}) to be
 * committed with the data, atomically (same journal): e.g. the run's quarantine or raw archive.
 */
export interface DatasetSidecar {
  /**
   * Final path relative to the dataset root, `/`-separated, e.g. `_quarantine/<runId>.ndjson`.
   * Must not be inside a table directory (never data); no `.`/`..` segments.
   */
  path: string;
  /** Where it was written, relative to the run's staging dir, `/`-separated. */
  staged: string;
  /** What it holds (`quarantine`, `raw`), recorded in the manifest. */
  kind: string;
  /** Records in it, recorded in the manifest. */
  records: number;
}

/** Options of {@link createDatasetSink}. */
export interface DatasetSinkOptions {
  /** Dataset root directory (created if missing). */
  out: string;
  /** Default `'parquet'`. */
  format?: DatasetFormat;
  /**
   * Parquet: `'snappy'` (default), `'gzip'`, `'brotli'`, `'none'`. NDJSON/CSV: `'none'`
   * (default) or `'gzip'` (files end in `.gz`).
   */
  compression?: string;
  /** Tables to write. Default: all four. */
  tables?: readonly TableName[];
  /** Table schemas. Default: the transform's `SCHEMAS`. */
  schemas?: Readonly<Record<TableName, TableSchema>>;
  /** Default `'overwrite'`. */
  mode?: DatasetMode;
  /**
   * A file is closed and a new part started once it holds this many rows (checked between
   * calls, so a file may exceed it by one call's rows). Default 1 000 000.
   */
  rowsPerFile?: number;
  /** …or once this many bytes reached it (compressed; Parquet counts flushed row groups). Default 256 MiB. */
  bytesPerFile?: number;
  /** Parquet row group bounds (see the Parquet writer). Defaults 50 000 rows / 32 MiB. */
  rowGroupRows?: number;
  rowGroupBytes?: number;
  /** CSV only: prefix `'` to formula-like string cells (see the CSV writer). Default false. */
  formulaGuard?: boolean;
  /** Safety bound on files one run may write. Default 100 000. */
  maxFiles?: number;
  /**
   * Source totals recorded in the manifest, or a function called at commit time (when the
   * source has finished), e.g. `() => source.stats`. Can also be set with `setSourceStats()`.
   */
  sourceStats?: SourceStats | (() => SourceStats);
  /**
   * Called once every file is complete and staged, before anything becomes visible. Throwing
   * (e.g. an `IncompleteExportError`) aborts the run: the previous dataset stays as it was.
   */
  beforeCommit?: (summary: DatasetRunSummary) => void | Promise<void>;
  /**
   * Files to commit with the data, asked for at commit time (after `beforeCommit`, which is where
   * a caller finishes and fsyncs them). They are renamed into place by the same journal as the
   * data files and listed in the manifest's `sidecars`.
   */
  sidecars?: () => readonly DatasetSidecar[] | Promise<readonly DatasetSidecar[]>;
  /**
   * Crash resume: called, under the lock, with each checkpoint an unfinished run left in
   * `_staging/` (see {@link checkpointRequest}). Return true to adopt it: its checkpointed files
   * become this run's (files written after the checkpoint are deleted) and
   * {@link DatasetSink.resumedFrom} holds it. Staging dirs not adopted are deleted as usual.
   */
  resume?: (checkpoint: DatasetCheckpoint) => boolean | Promise<boolean>;
  /** Told why a crashed run's staging dir was discarded instead of adopted. */
  onDiscard?: (runId: string, reason: string) => void;
  /** Called after each `_checkpoint.json` was written (durably). */
  onCheckpoint?: (checkpoint: DatasetCheckpoint) => void;
  /**
   * Decides, when the run fails or is destroyed after writing a checkpoint, whether its staging
   * dir is kept for the next run to resume (true) or deleted. Default: kept for any failure (a
   * signal, a failed API), since the next run only adopts it when `resume` accepts it.
   */
  keepCheckpoint?: (error: Error | null) => boolean;
  /**
   * Told about a problem that did not fail the run: cleanup after the commit point (old files
   * could not be removed; the next run finishes it).
   */
  onWarning?: (message: string) => void;
  /**
   * Test seam: called after each step of the commit (see `COMMIT_STEPS`); a throw there is a
   * failure at that step, a `process.kill(process.pid, 'SIGKILL')` a crash at that step.
   */
  onCommitStep?: (step: CommitStep) => void | Promise<void>;
  /** Run id (letters, digits, `-`, `_`). Default: UTC timestamp + random suffix. */
  runId?: string;
  /** Clock, injectable for tests. Default `() => new Date()`. */
  now?: () => Date;
}

const DEFAULTS = {
  format: DEFAULT_FORMAT,
  mode: 'overwrite',
  rowsPerFile: 1_000_000,
  bytesPerFile: 256 * 1024 * 1024,
  maxFiles: 100_000,
  formulaGuard: false,
} as const;

/** Part files flushing/closing in the background at once (open files stay ≤ tables + this). */
const MAX_CLOSING = 16;

/** fsyncs in flight at once at a checkpoint or the commit (the libuv pool has 4 threads; the disk queues the rest). */
const FSYNC_CONCURRENCY = 32;

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface ResolvedOptions {
  out: string;
  format: DatasetFormat;
  compression: string;
  tables: TableName[];
  schemas: Readonly<Record<TableName, TableSchema>>;
  mode: DatasetMode;
  rowsPerFile: number;
  bytesPerFile: number;
  rowGroupRows: number | undefined;
  rowGroupBytes: number | undefined;
  formulaGuard: boolean;
  maxFiles: number;
  beforeCommit: DatasetSinkOptions['beforeCommit'];
  sidecars: DatasetSinkOptions['sidecars'];
  resume: DatasetSinkOptions['resume'];
  onDiscard: DatasetSinkOptions['onDiscard'];
  onCheckpoint: DatasetSinkOptions['onCheckpoint'];
  keepCheckpoint: DatasetSinkOptions['keepCheckpoint'];
  onWarning: DatasetSinkOptions['onWarning'];
  onCommitStep: DatasetSinkOptions['onCommitStep'];
  runId: string;
  now: () => Date;
}

type WriterFactory = (table: TableSchema, destination: string) => TableWriter;

interface OpenFile {
  partition: string;
  date: string | null;
  name: string;
  writer: TableWriter;
}

type StagedFile = StagedFileInfo;

/**
 * A Writable (object mode) of `FlatCallLog`s that writes a Hive-partitioned dataset
 * `<out>/<table>/date=YYYY-MM-DD/part-<runId>-<n>.<ext>` and commits it atomically on `end()`.
 * See {@link createDatasetSink}.
 */
export class DatasetSink extends Writable {
  readonly runId: string;
  readonly out: string;
  readonly #options: ResolvedOptions;
  #sourceStats: SourceStats | (() => SourceStats) | undefined;
  #factory: WriterFactory | undefined;
  readonly #open = new Map<TableName, OpenFile>();
  readonly #staged: StagedFile[] = [];
  /** Files being closed in the background (bounded by MAX_CLOSING), and the first close failure. */
  readonly #closing = new Set<Promise<void>>();
  #closeError: unknown;
  readonly #stagingDirs = new Set<string>();
  readonly #rows: Partial<Record<TableName, number>> = {};
  #calls = 0;
  #seq = 0;
  #startedAt: Date;
  #locked = false;
  #journalWritten = false;
  #manifest: DatasetManifest | undefined;
  /**
   * `#staged[0 … #syncedUpTo)` are fsync'd (by a checkpoint, or adopted). Checkpoints and the
   * commit drain every close first, so the files after it are exactly the unsynced ones.
   */
  #syncedUpTo = 0;
  /** Staging dirs that got new entries since the last fsync of them. */
  readonly #dirtyDirs = new Set<string>();
  #lastCheckpoint: DatasetCheckpoint | undefined;
  #resumedFrom: DatasetCheckpoint | undefined;
  /** Set by abort(): overrides the keepCheckpoint option. */
  #keepCheckpoint: boolean | undefined;
  readonly #opened: Promise<void>;
  #settleOpen!: (error?: Error) => void;

  constructor(options: DatasetSinkOptions) {
    const resolved = resolveOptions(options);
    super({ objectMode: true, highWaterMark: 16 });
    this.#options = resolved;
    this.runId = resolved.runId;
    this.out = resolved.out;
    this.#sourceStats = options.sourceStats;
    this.#startedAt = resolved.now();
    this.#opened = new Promise<void>((resolve, reject) => {
      this.#settleOpen = (error) => (error ? reject(error) : resolve());
    });
    // Observed through ready() or the stream's 'error'; never an unhandled rejection.
    this.#opened.catch(() => undefined);
  }

  /**
   * Resolves once the dataset is open: lock taken, a crashed run's leftovers cleaned up (or its
   * interrupted commit finished), the format's writer loaded. Rejects if that failed (e.g.
   * another run holds the lock). Lets a caller fail fast before starting to download.
   */
  ready(): Promise<void> {
    return this.#opened;
  }

  /** Sets the source totals recorded in the manifest (a value, or a function called at commit). */
  setSourceStats(stats: SourceStats | (() => SourceStats)): void {
    this.#sourceStats = stats;
  }

  /** The run's staging dir (`<out>/_staging/<runId>`): sidecars are written under it. */
  get stagingDir(): string {
    return join(this.out, STAGING_DIR, this.runId);
  }

  /** The checkpoint this run adopted (crash resume), once {@link ready} resolved; else undefined. */
  get resumedFrom(): DatasetCheckpoint | undefined {
    return this.#resumedFrom;
  }

  /** The last checkpoint this run wrote or adopted. */
  get lastCheckpoint(): DatasetCheckpoint | undefined {
    return this.#lastCheckpoint;
  }

  /** The committed manifest, once the sink has finished. */
  get manifest(): DatasetManifest | undefined {
    return this.#manifest;
  }

  /**
   * Destroys the sink and resolves once its staged files are removed and the lock released;
   * the previous dataset is untouched.
   */
  async abort(reason?: Error, options: { keepCheckpoint?: boolean } = {}): Promise<void> {
    // With keepCheckpoint the staging dir stays when a checkpoint was written, so that running
    // the same command again resumes (a failed API, a signal); it is hidden (`_staging`) and the
    // next run adopts or deletes it. Only effective before the sink is destroyed: a pipeline
    // that already destroyed it decided with the keepCheckpoint option.
    if (options.keepCheckpoint !== undefined) this.#keepCheckpoint = options.keepCheckpoint;
    // The caller chose to abort and knows why: don't let the reason become an uncaught 'error'.
    this.once('error', () => undefined);
    if (!this.destroyed) this.destroy(reason);
    if (!this.closed) await new Promise<void>((resolve) => this.once('close', () => resolve()));
  }

  override _construct(callback: (error?: Error | null) => void): void {
    (async () => {
      await makeDir(this.out);
      // Links planted under the fixed names would redirect a read, write or delete outside.
      for (const name of [LOCK_NAME, MANIFEST_NAME, STAGING_DIR, ...TABLE_NAMES]) {
        await confined(this.out, name, 'a dataset file');
      }
      await acquireLock(this.out, this.runId);
      this.#locked = true;
      await this.#adopt();
      await recover(this.out, this.#resumedFrom ? this.runId : undefined);
      this.#factory = await loadWriterFactory(this.#options);
    })().then(
      () => {
        this.#settleOpen();
        callback();
      },
      (error: unknown) => {
        const failure = asSinkError(error, 'Cannot open the dataset');
        this.#settleOpen(failure);
        callback(failure);
      },
    );
  }

  override _write(
    log: FlatCallLog | CheckpointRequest,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const work = isCheckpointRequest(log) ? this.#checkpoint(log) : this.#writeLog(log);
    work.then(
      () => callback(),
      (error: unknown) => callback(asSinkError(error, 'Cannot write the dataset')),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#commit().then(
      () => callback(),
      (error: unknown) => callback(asSinkError(error, 'Cannot commit the dataset')),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    (async () => {
      const open = [...this.#open.values()];
      this.#open.clear();
      await Promise.all(this.#closing);
      for (const file of open) {
        file.writer.destroy();
        await finished(file.writer).catch(() => undefined);
      }
      // After the journal the commit must be finished, not undone: the next run rolls it forward.
      // Without the lock (another run holds it) nothing here is ours to touch.
      const wanted = this.#keepCheckpoint ?? this.#options.keepCheckpoint?.(error) ?? true;
      const keep = wanted && this.#lastCheckpoint !== undefined;
      if (this.#locked && !this.#journalWritten && !keep) {
        const runDir = await confined(this.out, `${STAGING_DIR}/${this.runId}`, 'the staging dir').catch(
          () => undefined,
        );
        if (runDir !== undefined) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
        await removeIfEmpty(join(this.out, STAGING_DIR));
      }
      if (this.#locked) await releaseLock(this.out, this.runId).catch(() => undefined);
      this.#locked = false;
    })().then(() => callback(error));
  }

  /** Adopts the checkpoint of a crashed run when the `resume` option accepts it. */
  async #adopt(): Promise<void> {
    const accept = this.#options.resume;
    if (!accept) return;
    const root = await confined(this.out, STAGING_DIR, 'the staging dir');
    for (const runId of (await readdir(root).catch(() => [] as string[])).sort().reverse()) {
      if (runId === this.runId) continue;
      const dir = await confined(this.out, `${STAGING_DIR}/${runId}`, 'a staging dir');
      if (!(await lstat(dir)).isDirectory()) continue;
      // A journal means that run committed: recover() rolls it forward.
      if (
        await stat(join(dir, JOURNAL_NAME)).then(
          () => true,
          () => false,
        )
      )
        continue;
      const checkpoint = await readCheckpoint(dir);
      if (!checkpoint) {
        this.#options.onDiscard?.(runId, `no usable ${CHECKPOINT_NAME}`);
        continue;
      }
      if (!(await accept(checkpoint))) {
        this.#options.onDiscard?.(runId, 'its checkpoint belongs to a different command');
        continue;
      }
      const problem = await adoptCheckpoint(root, runId, this.runId, checkpoint);
      if (problem !== undefined) {
        this.#options.onDiscard?.(runId, problem);
        continue;
      }
      for (const f of checkpoint.files) {
        this.#staged.push({ ...f });
        this.#stagingDirs.add(join(this.stagingDir, f.table, f.partition));
      }
      this.#syncedUpTo = this.#staged.length;
      this.#seq = checkpoint.seq;
      this.#calls = checkpoint.calls;
      Object.assign(this.#rows, checkpoint.rows);
      this.#resumedFrom = checkpoint;
      this.#lastCheckpoint = checkpoint;
      return;
    }
  }

  /**
   * Closes every open file, fsyncs what is staged and writes `_checkpoint.json` atomically. Runs
   * in the write path (the request is written in order with the data), so it covers exactly the
   * FlatCallLogs written before the request.
   */
  async #checkpoint(request: CheckpointRequest): Promise<void> {
    for (const [table, file] of [...this.#open]) await this.#close(table, file);
    await this.#drainClosing();
    const runDir = this.stagingDir;
    await this.#syncStaged([]);
    await makeDir(runDir);
    const checkpoint: DatasetCheckpoint = {
      version: DATASET_CHECKPOINT_VERSION,
      runId: this.runId,
      writtenAt: this.#options.now().toISOString(),
      calls: this.#calls,
      rows: { ...this.#rows },
      seq: this.#seq,
      files: this.#staged.map((f) => ({ ...f })),
      sidecars: request.sidecars.map((s) => ({ staged: s.staged, bytes: s.bytes })),
      state: request.state,
    };
    await writeFileAtomic(runDir, CHECKPOINT_NAME, JSON.stringify(checkpoint), this.runId);
    this.#lastCheckpoint = checkpoint;
    this.#options.onCheckpoint?.(checkpoint);
  }

  /** Checks the caller's sidecars and measures them (size, sha256) for the manifest. */
  async #stageSidecars(runDir: string): Promise<{ staged: string; entry: ManifestSidecar }[]> {
    const list = (await this.#options.sidecars?.()) ?? [];
    const out: { staged: string; entry: ManifestSidecar }[] = [];
    const seen = new Set<string>();
    for (const sidecar of list) {
      const segments = String(sidecar.path).split('/');
      if (
        !isSafeRelative(sidecar.path) ||
        !isSafeRelative(sidecar.staged) ||
        (TABLE_NAMES as readonly string[]).includes(segments[0] ?? '') ||
        segments[0] === STAGING_DIR ||
        seen.has(sidecar.path)
      ) {
        throw new SinkError(
          `Invalid sidecar path ${JSON.stringify(String(sidecar.path).slice(0, 80))}: expected a relative path outside the table directories`,
        );
      }
      seen.add(sidecar.path);
      const full = join(runDir, ...sidecar.staged.split('/'));
      const bytes = await stat(full).then(
        (st) => st.size,
        (error: unknown) => {
          throw new SinkError(`Sidecar ${sidecar.staged} was not written`, { cause: error });
        },
      );
      out.push({
        staged: sidecar.staged,
        entry: {
          path: sidecar.path,
          kind: sidecar.kind,
          records: sidecar.records,
          bytes,
          sha256: await sha256File(full),
          runId: this.runId,
        },
      });
    }
    return out;
  }

  async #writeLog(log: FlatCallLog): Promise<void> {
    if (typeof log !== 'object' || log === null || typeof log.tables !== 'object' || log.tables === null) {
      throw new SinkError('The dataset sink expects FlatCallLog objects from the transform');
    }
    // A writer that failed while idle (see #openFile) fails the run at its next write.
    if (this.#closeError !== undefined) throw this.#closeError;
    const partition = partitionDir(log.partitionDate);
    this.#calls++;
    for (const table of this.#options.tables) {
      const rows: Row[] | undefined = log.tables[table];
      if (!rows || rows.length === 0) continue;
      let file = this.#open.get(table);
      // Calls arrive newest first: a new date means the previous partition is done for now.
      // If that date comes back later, it gets a new part file rather than staying open.
      if (file && file.partition !== partition) {
        await this.#close(table, file);
        file = undefined;
      }
      file ??= await this.#openFile(table, partition, log.partitionDate);
      // One chunk per call and table: encoded and hashed as a batch, not row by row.
      if (!file.writer.writeRows(rows)) await drained(file.writer);
      this.#rows[table] = (this.#rows[table] ?? 0) + rows.length;
      if (
        file.writer.rowsWritten >= this.#options.rowsPerFile ||
        file.writer.bytesWritten >= this.#options.bytesPerFile
      ) {
        await this.#close(table, file);
      }
    }
  }

  async #openFile(table: TableName, partition: string, date: string | null): Promise<OpenFile> {
    if (this.#seq >= this.#options.maxFiles) {
      throw new LimitExceededError('maxFiles', `a run may write at most ${this.#options.maxFiles} files`);
    }
    const name = `part-${this.runId}-${String(this.#seq++).padStart(5, '0')}.${extension(this.#options)}`;
    const dir = join(this.out, STAGING_DIR, this.runId, table, partition);
    if (!this.#stagingDirs.has(dir)) {
      await makeConfinedDir(
        this.out,
        `${STAGING_DIR}/${this.runId}/${table}/${partition}`,
        'the staging dir',
      );
      this.#stagingDirs.add(dir);
      // A new dir's own entry lives in its parents: they must be durable too.
      const runDir = this.stagingDir;
      this.#dirtyDirs.add(join(runDir, table)).add(runDir).add(join(this.out, STAGING_DIR));
    }
    this.#dirtyDirs.add(dir);
    // `.staged` keeps staged files out of any `**/*.parquet`-style glob over the root.
    const writer = this.#factory!(this.#options.schemas[table], join(dir, `${name}.staged`));
    // An idle writer can fail too (its file hit ENOSPC while flushing in the background): keep
    // the error for the next write, checkpoint or commit instead of an unhandled 'error' event.
    writer.on('error', (error: unknown) => {
      this.#closeError ??= error;
    });
    const file: OpenFile = { partition, date, name, writer };
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
    while (this.#closing.size >= MAX_CLOSING) await Promise.race(this.#closing);
    if (this.#closeError !== undefined) throw this.#closeError;
  }

  /**
   * fsyncs the staged files closed since the last sync, the staging dirs that got entries since
   * then, and `extra` paths. Call after #drainClosing (every staged file is complete).
   */
  async #syncStaged(extra: string[]): Promise<void> {
    const runDir = this.stagingDir;
    const fresh = this.#staged
      .slice(this.#syncedUpTo)
      .map((f) => join(runDir, f.table, f.partition, `${f.name}.staged`));
    const dirs = [...this.#dirtyDirs];
    // Files first, then the dirs holding their entries (#openFile marks a new dir's parents).
    await fsyncAll([...fresh, ...extra]);
    await fsyncAll(dirs);
    this.#syncedUpTo += fresh.length;
    for (const dir of dirs) this.#dirtyDirs.delete(dir);
  }

  async #drainClosing(): Promise<void> {
    await Promise.all(this.#closing);
    if (this.#closeError !== undefined) throw this.#closeError;
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
    });
  }

  async #commit(): Promise<void> {
    for (const [table, file] of [...this.#open]) await this.#close(table, file);
    await this.#drainClosing();
    const o = this.#options;
    await o.beforeCommit?.({
      runId: this.runId,
      callsReceived: this.#calls,
      rows: { ...this.#rows },
      files: this.#staged.length,
    });
    const source = typeof this.#sourceStats === 'function' ? this.#sourceStats() : this.#sourceStats;
    const runDir = join(this.out, STAGING_DIR, this.runId);
    const sidecars = await this.#stageSidecars(runDir);
    const previous =
      o.mode === 'replacePartitions'
        ? await readManifest(this.out)
        : // Overwrite only carries the previous sidecars forward (their files stay): a damaged
          // manifest must not stop a run that replaces it.
          await readManifest(this.out).catch(() => undefined);
    const newPaths = new Set(sidecars.map((c) => c.entry.path));
    const sidecarEntries = [
      ...(previous?.sidecars ?? []).filter((c) => !newPaths.has(c.path)),
      ...sidecars.map((c) => c.entry),
    ];
    const touched = new Set(this.#staged.map((f) => `${f.table}/${f.partition}`));
    const newFiles: ManifestFile[] = this.#staged.map((f) => ({
      path: `${f.table}/${f.partition}/${f.name}`,
      table: f.table,
      partition: { date: f.date },
      rows: f.rows,
      bytes: f.bytes,
      sha256: f.sha256,
      runId: this.runId,
    }));
    const kept = (o.mode === 'replacePartitions' ? (previous?.files ?? []) : []).filter(
      (f) => !touched.has(f.path.slice(0, f.path.lastIndexOf('/'))),
    );
    if (o.mode === 'replacePartitions' && previous && previous.format !== o.format) {
      throw new SinkError(
        `replacePartitions cannot mix formats: the dataset is ${previous.format}, this run writes ${o.format}`,
      );
    }
    const files = [...kept, ...newFiles];
    const tables: DatasetManifest['tables'] = {};
    const tableNames = new Set<TableName>([...o.tables, ...kept.map((f) => f.table)]);
    for (const table of TABLE_NAMES) {
      if (!tableNames.has(table)) continue;
      const version = o.schemas[table].version;
      const before = previous?.tables[table]?.schemaVersion;
      if (before !== undefined && before !== version && kept.some((f) => f.table === table)) {
        throw new SinkError(
          `replacePartitions cannot mix schema versions of ${table} (dataset ${before}, run ${version})`,
        );
      }
      const own = files.filter((f) => f.table === table);
      tables[table] = {
        schemaVersion: version,
        rows: own.reduce((n, f) => n + f.rows, 0),
        files: own.length,
      };
    }
    const manifest: DatasetManifest = {
      manifestVersion: 1,
      runId: this.runId,
      mode: o.mode,
      format: o.format,
      compression: o.compression,
      startedAt: this.#startedAt.toISOString(),
      committedAt: o.now().toISOString(),
      source: source ?? null,
      callsReceived: this.#calls,
      tables,
      files,
      ...(sidecarEntries.length > 0 ? { sidecars: sidecarEntries } : {}),
    };
    const journal: CommitJournal = {
      runId: this.runId,
      renames: [
        ...this.#staged.map((f) => ({
          from: `${STAGING_DIR}/${this.runId}/${f.table}/${f.partition}/${f.name}.staged`,
          to: `${f.table}/${f.partition}/${f.name}`,
        })),
        ...sidecars.map((c) => ({ from: `${STAGING_DIR}/${this.runId}/${c.staged}`, to: c.entry.path })),
      ],
      manifest,
      cleanup: o.mode === 'overwrite' ? { tables: 'all' } : { partitions: [...touched] },
      successTables: [...o.tables],
    };
    // Staged files were closed without fsync (see TableWriterBaseOptions.fsync): make them and
    // their directories durable now, in parallel, before the journal makes the commit decision.
    await this.#syncStaged(sidecars.map((c) => join(runDir, ...c.staged.split('/'))));
    await makeDir(runDir);
    await writeFileAtomic(runDir, JOURNAL_NAME, JSON.stringify(journal), this.runId);
    this.#journalWritten = true;
    try {
      await applyCommit(this.out, journal, { rollback: true, onStep: o.onCommitStep });
    } catch (error) {
      if (!(error instanceof CommittedWithCleanupError)) {
        // Rolled back (journal deleted): the run is an aborted one, its staging dir is removed
        // (or kept for resume) like any other failure's. A failed rollback keeps the journal.
        this.#journalWritten = await stat(join(runDir, JOURNAL_NAME)).then(
          () => true,
          () => false,
        );
        throw error;
      }
      o.onWarning?.(error.message);
    }
    await removeIfEmpty(join(this.out, STAGING_DIR));
    await releaseLock(this.out, this.runId);
    this.#locked = false;
    this.#manifest = manifest;
  }
}

/**
 * Creates a dataset sink: a Writable (object mode) of the transform's `FlatCallLog`s that writes
 * one Hive-partitioned directory per table, at most one open file per table, and commits the
 * whole run atomically when the stream ends (staged files renamed into place, `_manifest.json`
 * replaced atomically, files not in the manifest removed, `_SUCCESS` per table). An error or
 * `destroy()` (and, at the next start, a killed run) leaves the previous dataset untouched.
 * Options are validated here, before anything is written. Writers are loaded with `import()`,
 * so an NDJSON dataset never loads the Parquet code.
 *
 * @example
 * const sink = createDatasetSink({ out: './lake', format: 'parquet', sourceStats: () => source.stats });
 * await pipeline(source, createFlattenStream(), sink);
 * console.log(sink.manifest?.tables.calls?.rows);
 */
export function createDatasetSink(options: DatasetSinkOptions): DatasetSink {
  return new DatasetSink(options);
}

function resolveOptions(options: DatasetSinkOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an options object', options);
  }
  if (typeof options.out !== 'string' || options.out.length === 0) {
    throw new InvalidOptionError('out', 'a directory path', options.out);
  }
  const format = oneOf('format', options.format ?? DEFAULTS.format, FORMATS);
  const compression = oneOf(
    'compression',
    options.compression ?? defaultCompression(format),
    COMPRESSIONS[format] as readonly string[],
  );
  const tables = options.tables ?? TABLE_NAMES;
  if (!Array.isArray(tables) || tables.length === 0) {
    throw new InvalidOptionError('tables', `a non-empty list of ${TABLE_NAMES.join(', ')}`, tables);
  }
  for (const t of tables) oneOf('tables', t, TABLE_NAMES);
  const schemas = options.schemas ?? SCHEMAS;
  for (const t of tables) {
    if (!schemas[t as TableName] || !Array.isArray(schemas[t as TableName].columns)) {
      throw new InvalidOptionError(`schemas.${t}`, 'a table schema', schemas[t as TableName]);
    }
  }
  const runId = options.runId ?? defaultRunId((options.now ?? (() => new Date()))());
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw new InvalidOptionError('runId', '1-64 letters, digits, "-" or "_"', runId);
  }
  if (options.beforeCommit !== undefined && typeof options.beforeCommit !== 'function') {
    throw new InvalidOptionError('beforeCommit', 'a function', options.beforeCommit);
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new InvalidOptionError('now', 'a function', options.now);
  }
  return {
    out: options.out,
    format,
    compression,
    tables: [...new Set(tables as TableName[])],
    schemas,
    mode: oneOf('mode', options.mode ?? DEFAULTS.mode, ['overwrite', 'replacePartitions']),
    rowsPerFile: positiveInteger('rowsPerFile', options.rowsPerFile ?? DEFAULTS.rowsPerFile),
    bytesPerFile: positiveInteger('bytesPerFile', options.bytesPerFile ?? DEFAULTS.bytesPerFile),
    rowGroupRows:
      options.rowGroupRows === undefined ? undefined : positiveInteger('rowGroupRows', options.rowGroupRows),
    rowGroupBytes:
      options.rowGroupBytes === undefined
        ? undefined
        : positiveInteger('rowGroupBytes', options.rowGroupBytes),
    formulaGuard: isBoolean('formulaGuard', options.formulaGuard ?? DEFAULTS.formulaGuard),
    maxFiles: positiveInteger('maxFiles', options.maxFiles ?? DEFAULTS.maxFiles),
    beforeCommit: options.beforeCommit,
    sidecars: fn('sidecars', options.sidecars),
    resume: fn('resume', options.resume),
    onDiscard: fn('onDiscard', options.onDiscard),
    onCheckpoint: fn('onCheckpoint', options.onCheckpoint),
    keepCheckpoint: fn('keepCheckpoint', options.keepCheckpoint),
    onWarning: fn('onWarning', options.onWarning),
    onCommitStep: fn('onCommitStep', options.onCommitStep),
    runId,
    now: options.now ?? (() => new Date()),
  };
}

function fn<T>(option: string, value: T): T {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(option, 'a function', value);
  }
  return value;
}

function defaultRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function extension(o: ResolvedOptions): string {
  if (o.format === 'parquet') return 'parquet';
  return o.compression === 'gzip' ? `${o.format}.gz` : o.format;
}

/** Loads only the chosen format's module (dynamic `import()`): NDJSON users never load hyparquet-writer. */
async function loadWriterFactory(o: ResolvedOptions): Promise<WriterFactory> {
  if (o.format === 'parquet') {
    const { createParquetWriter } = await import('./parquet.js');
    return (schema, destination) =>
      createParquetWriter({
        schema,
        destination,
        fsync: false,
        atomic: false,
        compression: o.compression as 'snappy',
        ...(o.rowGroupRows === undefined ? {} : { rowGroupRows: o.rowGroupRows }),
        ...(o.rowGroupBytes === undefined ? {} : { rowGroupBytes: o.rowGroupBytes }),
      });
  }
  if (o.format === 'csv') {
    const { createCsvWriter } = await import('./csv.js');
    return (schema, destination) =>
      createCsvWriter({
        schema,
        destination,
        fsync: false,
        atomic: false,
        compression: o.compression as 'gzip',
        formulaGuard: o.formulaGuard,
      });
  }
  const { createNdjsonWriter } = await import('./ndjson.js');
  return (schema, destination) =>
    createNdjsonWriter({
      schema,
      destination,
      fsync: false,
      atomic: false,
      compression: o.compression as 'gzip',
    });
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

async function removeIfEmpty(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => undefined);
  if (names && names.length === 0) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

function asSinkError(error: unknown, context: string): Error {
  // Coded errors (ours, or e.g. an IncompleteExportError thrown by beforeCommit) pass unchanged.
  if (isOmnidimError(error)) return error;
  return new SinkError(`${context}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

/**
 * The dataset engine: one run from opening the dataset (lock, crash recovery, resume) through
 * writing calls and checkpoints to the atomic commit, or to its cleanup when it fails. Plain
 * async methods; `DatasetSink` (dataset.ts) is the Writable adapter that calls them, the way
 * node-csv's csv-parse stream only calls its parser.
 */
import { readdir, rm } from 'node:fs/promises';
import { type FlatCallLog, type Row, TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import { writeCallRows } from './call-rows.js';
import { adoptCrashedRun } from './dataset-adoption.js';
import {
  type CheckpointRequest,
  DATASET_CHECKPOINT_VERSION,
  type DatasetCheckpoint,
  type StagedFileInfo,
} from './dataset-checkpoint.js';
import { applyCommit, recover } from './dataset-commit.js';
import { planCommit } from './dataset-commit-plan.js';
import {
  CHECKPOINT_NAME,
  confined,
  datasetPath,
  fixedRootNames,
  JOURNAL_NAME,
  journalRel,
  makeDir,
  refuseLinksInTables,
  STAGING_DIR,
  stagingRel,
} from './dataset-layout.js';
import { acquireLock, releaseLock } from './dataset-lock.js';
import { partExtension, type ResolvedDatasetOptions } from './dataset-options.js';
import { measureSidecars, stagedSidecarPath } from './dataset-sidecars.js';
import { loadWriterFactory } from './dataset-writers.js';
import { CommittedWithCleanupError, SinkError } from './errors.js';
import { streamedPartsOf } from './lake-file-fetch.js';
import { type DatasetManifest, readManifest, type SourceStats, writeFileAtomic } from './manifest.js';
import { refuseOtherGrain } from './partition-grain-check.js';
import { rewritePartitions } from './partition-rewrite.js';
import type { PartsFlush, PartsWriterConfig } from './parts-writer.js';
import { pathExists } from './path-exists.js';
import { StagedParts, type StagedPartsConfig } from './staged-parts.js';

/** One run of a dataset sink (see the module comment). */
export class DatasetRun {
  readonly #o: ResolvedDatasetOptions;
  readonly #partsConfig: StagedPartsConfig;
  readonly #parts: StagedParts;
  readonly #rows: Partial<Record<TableName, number>> = {};
  readonly #startedAt: Date;
  #sourceStats: SourceStats | (() => SourceStats) | undefined;
  #calls = 0;
  #locked = false;
  #journalWritten = false;
  #manifest: DatasetManifest | undefined;
  #lastCheckpoint: DatasetCheckpoint | undefined;
  /** The checkpoint being written, if any: dispose() lets it finish before deciding what to keep. */
  #checkpointing: Promise<void> | undefined;
  #resumedFrom: DatasetCheckpoint | undefined;

  constructor(options: ResolvedDatasetOptions) {
    this.#o = options;
    this.#sourceStats = options.sourceStats;
    this.#startedAt = options.now();
    this.#partsConfig = {
      root: options.out,
      runId: options.runId,
      extension: partExtension(options),
      schemas: options.schemas,
      rowsPerFile: options.rowsPerFile,
      bytesPerFile: options.bytesPerFile,
      maxFiles: options.maxFiles,
    };
    this.#parts = new StagedParts(this.#partsConfig);
  }

  /** The dataset root (`out`) and this run's id. */
  get root(): string {
    return this.#o.out;
  }
  get runId(): string {
    return this.#o.runId;
  }

  /** The run's staging dir (`<out>/_staging/<runId>`). */
  get stagingDir(): string {
    return datasetPath(this.#o.out, stagingRel(this.#o.runId));
  }
  get resumedFrom(): DatasetCheckpoint | undefined {
    return this.#resumedFrom;
  }
  get lastCheckpoint(): DatasetCheckpoint | undefined {
    return this.#lastCheckpoint;
  }
  get manifest(): DatasetManifest | undefined {
    return this.#manifest;
  }
  setSourceStats(stats: SourceStats | (() => SourceStats)): void {
    this.#sourceStats = stats;
  }

  /**
   * Opens the dataset: refuses links planted under the fixed names, takes the lock, refuses
   * links planted inside the table directories (partitions), adopts a
   * crashed run's checkpoint when `resume` accepts it, finishes or deletes what crashed runs left,
   * and loads the format's writer.
   */
  async open(): Promise<void> {
    const { out, runId } = this.#o;
    await makeDir(out);
    // Links planted under the fixed names would redirect a read, write or delete outside.
    for (const name of fixedRootNames(TABLE_NAMES)) await confined(out, name, 'a dataset file');
    await acquireLock(out, runId);
    this.#locked = true;
    // Under the lock (no other run is changing the tables), before anything changes: a partition
    // replaced by a link is refused even when this run will not write that partition.
    await refuseLinksInTables(out, TABLE_NAMES);
    // Grains never mix: another grain on an existing lake is refused before anything changes.
    if (!this.#o.regrain)
      refuseOtherGrain(await readManifest(out).catch(() => undefined), this.#o.partitionBy);
    if (this.#o.resume) {
      const hooks = { resume: this.#o.resume, onDiscard: this.#o.onDiscard };
      const checkpoint = await adoptCrashedRun(out, runId, hooks);
      if (checkpoint) this.#resume(checkpoint);
    }
    await recover(out, this.#resumedFrom ? runId : undefined);
    this.#parts.useWriters(await loadWriterFactory(this.#o));
  }

  /** Writes one call's rows to the open part file of each of its tables. */
  async write(log: FlatCallLog): Promise<void> {
    if (typeof log !== 'object' || log === null || typeof log.tables !== 'object' || log.tables === null) {
      throw new SinkError('The dataset sink expects FlatCallLog objects from the transform');
    }
    // A writer that failed while idle (see StagedParts) fails the run at its next write.
    this.#parts.throwIfFailed();
    this.#calls++;
    await writeCallRows(log, this.#o.tables, this.#o.partitionBy, (table, partition, rows) =>
      this.writeRows(table, partition, log.partitionDate, rows),
    );
  }

  /**
   * The config of a {@link PartsWriter} writing into this run's staging dir from a worker thread
   * (issue 21): from now on part-file numbers come from a shared counter. Call after `open()`.
   */
  partsWriterConfig(): PartsWriterConfig {
    const o = this.#o;
    const sequence = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    this.#parts.shareSequence(sequence);
    // A worker's modules are its own: it learns from here where an `s3://` run streams its parts.
    const streamTo = streamedPartsOf(o.out);
    return {
      parts: { ...this.#partsConfig, ...(streamTo ? { streamTo } : {}) },
      writer: {
        format: o.format,
        compression: o.compression,
        timeZone: o.timeZone,
        runId: o.runId,
        rowGroupRows: o.rowGroupRows,
        rowGroupBytes: o.rowGroupBytes,
        formulaGuard: o.formulaGuard,
      },
      tables: [...o.tables],
      partitionBy: o.partitionBy,
      sequence,
    };
  }

  /**
   * Takes over what a {@link PartsWriter} staged (closed, fsync'd files), counting its calls and
   * rows as this run's: the adopted-parts request, written in order with the data.
   */
  async adoptParts(flush: PartsFlush): Promise<void> {
    // Own files (none in a worker run until the commit) are synced first: see addSynced.
    await this.#parts.closeAll();
    await this.#parts.sync([]);
    this.#parts.addSynced(flush.files);
    this.#calls += flush.calls;
    for (const [table, rows] of Object.entries(flush.rows) as [TableName, number][]) {
      this.#rows[table] = (this.#rows[table] ?? 0) + rows;
    }
  }

  /**
   * Writes rows of one table to a partition (`partitionDir(date, grain)`): {@link write} for one
   * call's rows, and `compactDataset` for rows read back from the lake.
   */
  async writeRows(table: TableName, partition: string, date: string | null, rows: Row[]): Promise<void> {
    await this.#parts.write(table, partition, date, rows);
    this.#rows[table] = (this.#rows[table] ?? 0) + rows.length;
  }

  /** The staged part files (closed ones), as the commit will publish them once it ran. */
  get stagedFiles(): StagedFileInfo[] {
    return this.#parts.files;
  }

  /** Rows written so far per table (by this run: not the rows a merge carried over). */
  get rowsWritten(): Partial<Record<TableName, number>> {
    return { ...this.#rows };
  }

  /**
   * Makes every written row durable (closes the open files, or flushes and fsyncs those that keep
   * growing: `StagedParts.checkpoint`), fsyncs what is staged and writes `_checkpoint.json` atomically. Runs
   * in the write path (the request is written in order with the data), so it covers exactly the
   * FlatCallLogs written before the request.
   */
  checkpoint(request: CheckpointRequest): Promise<void> {
    this.#checkpointing = this.#writeCheckpoint(request);
    return this.#checkpointing;
  }

  async #writeCheckpoint(request: CheckpointRequest): Promise<void> {
    const growing = await this.#parts.checkpoint();
    await this.#parts.sync([]);
    await makeDir(this.stagingDir);
    const checkpoint: DatasetCheckpoint = {
      version: DATASET_CHECKPOINT_VERSION,
      runId: this.#o.runId,
      writtenAt: this.#o.now().toISOString(),
      calls: this.#calls,
      rows: { ...this.#rows },
      seq: this.#parts.seq,
      files: this.#parts.files,
      growing,
      sidecars: request.sidecars.map((s) => ({ staged: s.staged, bytes: s.bytes })),
      state: request.state,
    };
    await writeFileAtomic(this.stagingDir, CHECKPOINT_NAME, JSON.stringify(checkpoint), this.#o.runId);
    this.#lastCheckpoint = checkpoint;
    this.#o.onCheckpoint?.(checkpoint);
  }

  /**
   * Finishes the files, merges small or re-read partitions (partition-rewrite.ts), asks
   * `beforeCommit`, then commits the run atomically (see `applyCommit`).
   */
  async commit(): Promise<void> {
    const o = this.#o;
    await this.#parts.closeAll();
    const previous =
      o.mode === 'overwrite'
        ? // Overwrite only carries the previous sidecars forward (their files stay): a damaged
          // manifest must not stop a run that replaces it.
          await readManifest(o.out).catch(() => undefined)
        : await readManifest(o.out);
    // Rewritten rows are read back from files that already carry the CSV formula guard's `'`:
    // writing them with it again would prefix twice.
    if (o.formulaGuard) this.#parts.useWriters(await loadWriterFactory({ ...o, formulaGuard: false }));
    const { touched } = await rewritePartitions({
      root: o.out,
      runId: o.runId,
      format: o.format,
      tables: o.tables,
      schemas: o.schemas,
      lake: o.mode === 'mergePartitions' ? previous : undefined,
      parts: this.#parts,
      isFull: (f) => f.rows >= o.rowsPerFile || f.bytes >= o.bytesPerFile,
    });
    const staged = this.#parts.files;
    await o.beforeCommit?.({
      runId: o.runId,
      callsReceived: this.#calls,
      rows: { ...this.#rows },
      files: staged.length,
    });
    const source = typeof this.#sourceStats === 'function' ? this.#sourceStats() : this.#sourceStats;
    const sidecars = await measureSidecars(o.out, o.runId, (await o.sidecars?.()) ?? []);
    const { manifest, journal } = planCommit({
      ...o,
      startedAt: this.#startedAt,
      committedAt: o.now(),
      source,
      callsReceived: this.#calls,
      staged,
      touched,
      sidecars,
      previous,
    });
    // Staged files were closed without fsync (see TableWriterBaseOptions.fsync): make them and
    // their directories durable now, in parallel, before the journal makes the commit decision.
    await this.#parts.sync(sidecars.map((c) => stagedSidecarPath(o.out, o.runId, c.staged)));
    await makeDir(this.stagingDir);
    await writeFileAtomic(this.stagingDir, JOURNAL_NAME, JSON.stringify(journal), o.runId);
    this.#journalWritten = true;
    try {
      await applyCommit(o.out, journal, { rollback: true, onStep: o.onCommitStep });
    } catch (error) {
      if (!(error instanceof CommittedWithCleanupError)) {
        // Rolled back (journal deleted): the run is an aborted one, its staging dir is removed
        // (or kept for resume) like any other failure's. A failed rollback keeps the journal.
        this.#journalWritten = await pathExists(datasetPath(o.out, journalRel(o.runId)));
        throw error;
      }
      o.onWarning?.(error.message);
    }
    await removeIfEmpty(datasetPath(o.out, STAGING_DIR));
    await releaseLock(o.out, o.runId);
    this.#locked = false;
    this.#manifest = manifest;
  }

  /**
   * After a failure or a destroy: stops the writers, deletes the staging dir unless it holds a
   * checkpoint to keep (`keep()`, asked once the writers stopped, says whether the caller wants
   * that) or a journal (after the
   * journal the commit must be finished, not undone: the next run rolls it forward), and
   * releases the lock. Without the lock (another run holds it) nothing here is ours to touch.
   */
  async dispose(keep: () => boolean): Promise<void> {
    // A signal can land between `_checkpoint.json` appearing and the checkpoint being recorded
    // (its dir fsync): finish it first, or the staging dir a visible checkpoint names is deleted.
    await this.#checkpointing?.catch(() => undefined);
    await this.#parts.destroy();
    const { out, runId } = this.#o;
    const keepCheckpoint = keep() && this.#lastCheckpoint !== undefined;
    if (this.#locked && !this.#journalWritten && !keepCheckpoint) {
      const runDir = await confined(out, stagingRel(runId), 'the staging dir').catch(() => undefined);
      if (runDir !== undefined) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
      await removeIfEmpty(datasetPath(out, STAGING_DIR));
    }
    if (this.#locked) await releaseLock(out, runId).catch(() => undefined);
    this.#locked = false;
  }

  #resume(checkpoint: DatasetCheckpoint): void {
    // Files that were growing were cut to their checkpointed prefix by the adoption: from here
    // on they are closed files like the others (new rows go to new files).
    this.#parts.adopt([...checkpoint.files, ...checkpoint.growing], checkpoint.seq);
    this.#calls = checkpoint.calls;
    Object.assign(this.#rows, checkpoint.rows);
    this.#resumedFrom = checkpoint;
    this.#lastCheckpoint = checkpoint;
  }
}

async function removeIfEmpty(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => undefined);
  if (names && names.length === 0) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

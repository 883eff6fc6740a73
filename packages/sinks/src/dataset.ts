import { Writable } from 'node:stream';
import type { FlatCallLog, TableName } from '@omnidim-stream/transform';
import { type AdoptedPartsRequest, isAdoptedPartsRequest } from './adopted-parts.js';
import { type CheckpointRequest, type DatasetCheckpoint, isCheckpointRequest } from './dataset-checkpoint.js';
import { type DatasetSinkOptions, normalizeDatasetOptions } from './dataset-options.js';
import { DatasetRun } from './dataset-run.js';
import { asSinkError } from './errors.js';
import type { DatasetManifest, SourceStats } from './manifest.js';
import type { PartsWriterConfig } from './parts-writer.js';

export { type AdoptedPartsRequest, adoptedPartsRequest, isAdoptedPartsRequest } from './adopted-parts.js';
export { type CompactOptions, type CompactResult, compactDataset } from './compact.js';
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
  DatasetFormat,
  DatasetMode,
  DatasetRunSummary,
  DatasetSidecar,
  DatasetSinkOptions,
} from './dataset-options.js';
export { DATASET_DEFAULTS } from './dataset-options.js';
export {
  CommittedWithCleanupError,
  DatasetLockedError,
  SinkError,
  StagedPartChangedError,
} from './errors.js';
export type {
  DatasetManifest,
  ManifestFile,
  ManifestMismatch,
  ManifestSidecar,
  ManifestTable,
  SourceStats,
} from './manifest.js';
export { MANIFEST_NAME, manifestGrain, readManifest, verifyManifestFiles } from './manifest.js';
export {
  DEFAULT_PARTITION_GRAIN,
  HIVE_DEFAULT_PARTITION,
  PARTITION_GRAINS,
  type PartitionGrain,
  partitionDir,
} from './partition.js';
export { refuseOtherGrain } from './partition-grain-check.js';
export { type PartsFlush, PartsWriter, type PartsWriterConfig } from './parts-writer.js';

/**
 * A Writable (object mode) of `FlatCallLog`s that writes a Hive-partitioned dataset
 * `<out>/<table>/<partition>/part-<runId>-<n>.<ext>` (`month=YYYY-MM-01` by default; see
 * `partitionBy`) and commits it atomically on `end()`.
 * See {@link createDatasetSink}. An adapter only: the run itself is `DatasetRun` (dataset-run.ts).
 */
export class DatasetSink extends Writable {
  readonly runId: string;
  readonly out: string;
  readonly #run: DatasetRun;
  readonly #keepCheckpointOption: DatasetSinkOptions['keepCheckpoint'];
  /** Set by abort(): overrides the keepCheckpoint option. */
  #keepCheckpoint: boolean | undefined;
  readonly #opened: Promise<void>;
  #settleOpen!: (error?: Error) => void;

  constructor(options: DatasetSinkOptions) {
    const resolved = normalizeDatasetOptions(options);
    super({ objectMode: true, highWaterMark: 16 });
    this.runId = resolved.runId;
    this.out = resolved.out;
    this.#keepCheckpointOption = resolved.keepCheckpoint;
    this.#run = new DatasetRun(resolved);
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
    this.#run.setSourceStats(stats);
  }

  /** The run's staging dir (`<out>/_staging/<runId>`): sidecars are written under it. */
  get stagingDir(): string {
    return this.#run.stagingDir;
  }

  /**
   * The config of a `PartsWriter` that writes this run's part files from a worker thread (issue
   * 21); its `flush()` comes back as an {@link adoptedPartsRequest}. Call once {@link ready}
   * resolved.
   */
  partsWriterConfig(): PartsWriterConfig {
    return this.#run.partsWriterConfig();
  }

  /** The checkpoint this run adopted (crash resume), once {@link ready} resolved; else undefined. */
  get resumedFrom(): DatasetCheckpoint | undefined {
    return this.#run.resumedFrom;
  }

  /** The last checkpoint this run wrote or adopted. */
  get lastCheckpoint(): DatasetCheckpoint | undefined {
    return this.#run.lastCheckpoint;
  }

  /** Rows this run wrote per table (not the rows a merge carried over from the lake). */
  get rowsWritten(): Partial<Record<TableName, number>> {
    return this.#run.rowsWritten;
  }

  /** The committed manifest, once the sink has finished. */
  get manifest(): DatasetManifest | undefined {
    return this.#run.manifest;
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
    this.#run.open().then(
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
    log: FlatCallLog | CheckpointRequest | AdoptedPartsRequest,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const work = isCheckpointRequest(log)
      ? this.#run.checkpoint(log)
      : isAdoptedPartsRequest(log)
        ? this.#run.adoptParts(log.flush)
        : this.#run.write(log);
    work.then(
      () => callback(),
      (error: unknown) => callback(asSinkError(error, 'Cannot write the dataset')),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#run.commit().then(
      () => callback(),
      (error: unknown) => callback(asSinkError(error, 'Cannot commit the dataset')),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Decided once the writers have stopped (an abort() arriving meanwhile still counts).
    const keep = () => this.#keepCheckpoint ?? this.#keepCheckpointOption?.(error) ?? true;
    this.#run.dispose(keep).then(
      () => callback(error),
      () => callback(error),
    );
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

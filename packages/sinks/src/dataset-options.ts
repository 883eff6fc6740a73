/**
 * The dataset sink's options: their types, their defaults in one constant, and
 * {@link normalizeDatasetOptions}, the one place they are checked and resolved.
 */

import { randomBytes } from 'node:crypto';
import { InvalidOptionError } from '@omnidim-stream/core';
import {
  SCHEMAS,
  TABLE_NAMES,
  type TableName,
  type TableSchema,
  validateTimeZone,
} from '@omnidim-stream/transform';
import type { DatasetCheckpoint } from './dataset-checkpoint.js';
import type { CommitStep } from './dataset-commit.js';
import { COMPRESSIONS, DEFAULT_FORMAT, defaultCompression, FORMATS, type Format } from './formats.js';
import type { SourceStats } from './manifest.js';
import { isBoolean, oneOf, positiveInteger } from './option-checks.js';
import { DEFAULT_PARTITION_GRAIN, PARTITION_GRAINS, type PartitionGrain } from './partition.js';

/** Output formats of a dataset ({@link FORMATS}). */
export type DatasetFormat = Format;

/**
 * - `overwrite`: the committed dataset is exactly this run's files (every table directory is
 *   cleaned of files not in the new manifest).
 * - `replacePartitions`: only the `(table, date)` partitions this run wrote are replaced; the
 *   previous manifest's files of other partitions are kept.
 * - `mergePartitions`: like `replacePartitions`, but each partition this run wrote is rewritten
 *   as the lake's rows merged with this run's: a call this run wrote replaces its rows (in every
 *   table), the partition's other calls are carried over (basis of incremental runs, issue 16: a
 *   month partition is never re-read whole from the API).
 */
export type DatasetMode = 'overwrite' | 'replacePartitions' | 'mergePartitions';

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
   * Parquet: `'zstd'` (default), `'snappy'`, `'gzip'`, `'brotli'`, `'none'`. NDJSON/CSV: `'none'`
   * (default) or `'gzip'` (files end in `.gz`).
   */
  compression?: string;
  /** Tables to write. Default: all four. */
  tables?: readonly TableName[];
  /**
   * The IANA time zone the API's wall times (`time_of_call`) were read in (the transform's
   * `timeZone`): recorded in `_manifest.json` and in every Parquet file's key/value metadata
   * (`omnidim.time_zone`), since `call_date` and every timestamp depend on it. Default `'UTC'`.
   */
  timeZone?: string;
  /** Table schemas. Default: the transform's `SCHEMAS`. */
  schemas?: Readonly<Record<TableName, TableSchema>>;
  /** Default `'overwrite'`. */
  mode?: DatasetMode;
  /**
   * Partition grain of the lake (`day`, `month`, `year`, `none`). Default `'month'` (README "Lake
   * layout"). A lake keeps the grain it was created with: another grain on an existing lake is an
   * `InvalidOptionError` naming `partitionBy` (change it with `compactDataset`).
   */
  partitionBy?: PartitionGrain;
  /**
   * A file is closed and a new part started once it holds this many rows (checked between
   * calls, so a file may exceed it by one call's rows). Default 1 000 000.
   */
  rowsPerFile?: number;
  /**
   * The target size of a data file: a file is closed and a new part started once this many bytes
   * reached it (compressed; Parquet counts flushed row groups). Partitions a run wrote in several
   * smaller files (a checkpoint closes every open file) are merged into files of up to this size
   * at commit. Default 128 MiB (README "Lake layout").
   */
  bytesPerFile?: number;
  /**
   * Parquet row group bounds (see the Parquet writer). Defaults 50 000 rows / 8 MiB of buffered
   * values, and the 8 MiB is one budget across every file the run has open (all tables, and the
   * commit's rewrites; per thread: row-group-budget.ts): a month partition's file stays open for
   * a long time, and the buffered row groups are what the export holds in memory (8 MiB per
   * table peaked at 414–454 MB RSS for a 20,000-call export at month grain, one budget at 277 MB:
   * bench/memory.ts).
   */
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
  /**
   * `compactDataset` only: the run may rewrite a lake of another grain (into `partitionBy`).
   * Every other run refuses that, so grains never mix.
   */
  regrain?: boolean;
  /** Run id (letters, digits, `-`, `_`). Default: UTC timestamp + random suffix. */
  runId?: string;
  /** Clock, injectable for tests. Default `() => new Date()`. */
  now?: () => Date;
}

/** Defaults of {@link DatasetSinkOptions}, in one place. */
export const DATASET_DEFAULTS = {
  format: DEFAULT_FORMAT,
  mode: 'overwrite',
  partitionBy: DEFAULT_PARTITION_GRAIN,
  rowsPerFile: 1_000_000,
  bytesPerFile: 128 * 1024 * 1024,
  maxFiles: 100_000,
  rowGroupBytes: 8 * 1024 * 1024,
  formulaGuard: false,
  timeZone: 'UTC',
} as const;

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** {@link DatasetSinkOptions} checked, with every default applied ({@link normalizeDatasetOptions}). */
export interface ResolvedDatasetOptions {
  out: string;
  format: DatasetFormat;
  compression: string;
  tables: TableName[];
  schemas: Readonly<Record<TableName, TableSchema>>;
  timeZone: string;
  mode: DatasetMode;
  partitionBy: PartitionGrain;
  regrain: boolean;
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
  sourceStats: DatasetSinkOptions['sourceStats'];
  runId: string;
  now: () => Date;
}

/**
 * Checks every option once, before anything is written, and applies the defaults (node-csv's
 * `normalize_options` plays this role there). A bad value throws an `InvalidOptionError` naming
 * the option, what was expected and what was received.
 *
 * @example
 * const o = normalizeDatasetOptions({ out: './lake', format: 'csv' }); // o.compression === 'none'
 */
export function normalizeDatasetOptions(options: DatasetSinkOptions): ResolvedDatasetOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an options object', options);
  }
  if (typeof options.out !== 'string' || options.out.length === 0) {
    throw new InvalidOptionError('out', 'a directory path', options.out);
  }
  const format = oneOf('format', options.format ?? DATASET_DEFAULTS.format, FORMATS);
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
  // Recorded as given (`Asia/Kolkata`), not as ICU's canonical alias (`Asia/Calcutta`).
  const timeZone = options.timeZone ?? DATASET_DEFAULTS.timeZone;
  validateTimeZone(timeZone);
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
    timeZone,
    mode: oneOf('mode', options.mode ?? DATASET_DEFAULTS.mode, [
      'overwrite',
      'replacePartitions',
      'mergePartitions',
    ]),
    partitionBy: oneOf('partitionBy', options.partitionBy ?? DATASET_DEFAULTS.partitionBy, PARTITION_GRAINS),
    regrain: isBoolean('regrain', options.regrain ?? false),
    rowsPerFile: positiveInteger('rowsPerFile', options.rowsPerFile ?? DATASET_DEFAULTS.rowsPerFile),
    bytesPerFile: positiveInteger('bytesPerFile', options.bytesPerFile ?? DATASET_DEFAULTS.bytesPerFile),
    rowGroupRows:
      options.rowGroupRows === undefined ? undefined : positiveInteger('rowGroupRows', options.rowGroupRows),
    rowGroupBytes: positiveInteger('rowGroupBytes', options.rowGroupBytes ?? DATASET_DEFAULTS.rowGroupBytes),
    formulaGuard: isBoolean('formulaGuard', options.formulaGuard ?? DATASET_DEFAULTS.formulaGuard),
    maxFiles: positiveInteger('maxFiles', options.maxFiles ?? DATASET_DEFAULTS.maxFiles),
    beforeCommit: options.beforeCommit,
    sidecars: fn('sidecars', options.sidecars),
    resume: fn('resume', options.resume),
    onDiscard: fn('onDiscard', options.onDiscard),
    onCheckpoint: fn('onCheckpoint', options.onCheckpoint),
    keepCheckpoint: fn('keepCheckpoint', options.keepCheckpoint),
    onWarning: fn('onWarning', options.onWarning),
    onCommitStep: fn('onCommitStep', options.onCommitStep),
    sourceStats: options.sourceStats,
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

/** File extension of the run's part files (`parquet`, `csv`, `ndjson.gz`, …). */
export function partExtension(o: ResolvedDatasetOptions): string {
  if (o.format === 'parquet') return 'parquet';
  return o.compression === 'gzip' ? `${o.format}.gz` : o.format;
}

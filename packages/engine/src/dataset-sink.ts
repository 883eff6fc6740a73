import {
  createDatasetSink,
  type DatasetCheckpoint,
  type DatasetMode,
  type DatasetRunSummary,
  type DatasetSidecar,
  type DatasetSink,
  type PartitionGrain,
} from '@omnidim-stream/sinks';

export interface SinkOptions {
  outDir: string;
  format: 'parquet' | 'csv' | 'ndjson';
  tables: readonly string[];
  compression?: string;
  /** The time zone the API's wall times were read in: recorded in the manifest and Parquet metadata. */
  timeZone: string;
  rowsPerFile?: number;
  /** Partition grain (default the sink's, `month`). */
  partitionBy?: PartitionGrain;
  /** Target file size in bytes (the sink's `bytesPerFile`). */
  bytesPerFile?: number;
  /** CSV only: the sink's `formulaGuard`. */
  formulaGuard?: boolean;
  runId: string;
  /** Source totals recorded in `_manifest.json`, read at commit time. */
  sourceStats: () => Record<string, unknown>;
  /** Runs once every file is staged, before anything becomes visible; throwing aborts the commit. */
  beforeCommit?: (summary: DatasetRunSummary) => Promise<void>;
  /** `overwrite` (default) or `mergePartitions` (incremental runs). */
  mode?: DatasetMode;
  /** Files committed with the data (quarantine, raw archive). */
  sidecars?: () => readonly DatasetSidecar[];
  /** Crash resume: adopt a crashed run's checkpoint when this returns true. */
  resume?: (checkpoint: DatasetCheckpoint) => boolean;
  onDiscard?: (runId: string, reason: string) => void;
  onCheckpoint?: (checkpoint: DatasetCheckpoint) => void;
  /** Whether a failed run keeps its checkpoint for the next run (see the sink's option). */
  keepCheckpoint?: (error: Error | null) => boolean;
  onWarning?: (message: string) => void;
}

/** What a committed run wrote. */
export interface SinkResult {
  rows: Record<string, number>;
  /** Paths relative to the dataset root. */
  files: string[];
}

/** The dataset sink: Hive-partitioned tables, committed atomically when the stream ends. */
export function createSink(options: SinkOptions): DatasetSink {
  return createDatasetSink({
    out: options.outDir,
    format: options.format,
    tables: options.tables as DatasetSinkTables,
    runId: options.runId,
    timeZone: options.timeZone,
    sourceStats: options.sourceStats,
    ...(options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.sidecars ? { sidecars: options.sidecars } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.onDiscard ? { onDiscard: options.onDiscard } : {}),
    ...(options.onCheckpoint ? { onCheckpoint: options.onCheckpoint } : {}),
    ...(options.keepCheckpoint ? { keepCheckpoint: options.keepCheckpoint } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.rowsPerFile === undefined ? {} : { rowsPerFile: options.rowsPerFile }),
    ...(options.partitionBy === undefined ? {} : { partitionBy: options.partitionBy }),
    ...(options.bytesPerFile === undefined ? {} : { bytesPerFile: options.bytesPerFile }),
    ...(options.formulaGuard ? { formulaGuard: true } : {}),
  });
}

/** The files and row counts this run committed, from the sink's manifest. */
export function sinkResult(sink: DatasetSink): SinkResult {
  const manifest = sink.manifest;
  if (!manifest) return { rows: {}, files: [] };
  const own = manifest.files.filter((f) => f.runId === sink.runId);
  // The rows this run wrote: a merge's files also hold rows carried over from the lake.
  const rows: Record<string, number> = { ...sink.rowsWritten };
  return { rows, files: own.map((f) => f.path) };
}

type DatasetSinkTables = NonNullable<Parameters<typeof createDatasetSink>[0]['tables']>;

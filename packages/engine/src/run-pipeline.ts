import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isOmnidimError, materializeRecord } from '@omnidim-stream/core';
import {
  type CheckpointRequest,
  type DatasetMode,
  type DatasetSidecar,
  type DatasetSink,
  type PartitionGrain,
  warmUpWriterCodec,
} from '@omnidim-stream/sinks';
import {
  type FlatCallLog,
  maskSecretsDeep,
  type ResolvedTransformOptions,
  redactCallLog,
  resolveTransformOptions,
  type TransformOptions,
  tryFlattenCallLog,
} from '@omnidim-stream/transform';
import { createSink, type SinkResult, sinkResult } from './dataset-sink.js';
import { afterFirstRequestSent } from './first-request-idle.js';
import { FlattenWorkers } from './flatten-workers.js';
import {
  CheckpointMark,
  checkpointAt,
  pipelineStateOf,
  QUARANTINE_STAGED,
  RAW_STAGED,
} from './pipeline-checkpoint.js';
import { checkQuarantineLimit, type ResolvedQuarantineLimit } from './quarantine-limit.js';
import { quarantinePath, rawArchivePath } from './raw-archive.js';
import { StagedLog } from './staged-log.js';
import { StrayOldCall } from './stray-old-call.js';
import { workerRows } from './worker-rows.js';

export { CheckpointMark } from './pipeline-checkpoint.js';

/** The `--raw` archive as the record source sees it: one call log at a time. */
export interface RawArchiveWriter {
  write(record: unknown): Promise<void>;
}

/** What a run's record source is started with. */
export interface PipelineStart {
  /** The caller's state of the checkpoint this run resumed from (crash resume), else undefined. */
  resumed: unknown;
  /**
   * `--raw`: the archive to tee every kept call log into (redacted like the tables unless
   * `rawUnredacted`), else undefined.
   */
  raw: RawArchiveWriter | undefined;
}

/** Options of {@link runPipeline}: one source of call logs into one dataset. */
export interface PipelineOptions {
  /**
   * Call logs, in order (and optionally {@link CheckpointMark}s); called once the dataset lock
   * is held, its leftovers handled and the options validated, so a bad option or a locked
   * dataset fails before any request.
   */
  records: (start: PipelineStart) => AsyncIterable<unknown>;
  outDir: string;
  format: 'parquet' | 'csv' | 'ndjson';
  tables: readonly string[];
  compression?: string | undefined;
  rowsPerFile?: number | undefined;
  /** The lake's partition grain and target file size (issue 16). */
  partitionBy?: PartitionGrain | undefined;
  targetFileSize?: number | undefined;
  /** CSV only: prefix `'` to text cells a spreadsheet would run as a formula. */
  csvFormulaGuard?: boolean;
  transform: TransformOptions;
  runId: string;
  /** Also keep every call log as received, gzipped NDJSON under `raw/` (committed with the data). */
  raw: boolean;
  /**
   * `--raw-unredacted`: archive call logs verbatim (file mode 0600). By default the archive gets
   * the tables' redaction (secret tokens masked, `--redact-*` actions), as README Security says.
   */
  rawUnredacted?: boolean;
  /** Source totals recorded in the manifest (read at commit time). */
  sourceStats?: () => Record<string, unknown>;
  signal: AbortSignal;
  /** `overwrite` (default) or `mergePartitions` (incremental runs). */
  mode?: DatasetMode;
  /**
   * Crash resume: marks become checkpoints, and a crashed run's checkpoint with this same
   * `fingerprint` (the command's options) is adopted; any other is discarded (`onDiscard`).
   */
  resume?: {
    fingerprint: string;
    onDiscard?: (runId: string, reason: string) => void;
    /** A checkpoint is durable: a crash from now on resumes after its `calls` calls. */
    onCheckpoint?: (calls: number) => void;
  };
  /** Runs once every row is staged, before anything is published; throwing aborts the commit. */
  beforeCommit?: () => void | Promise<void>;
  /** Problems that did not fail the run (cleanup after the commit point). */
  onWarning?: (message: string) => void;
  /** The user stage between flatten and the sink; see {@link RowStage}. */
  stage?: RowStage | undefined;
  /** Refuse the commit when more records than this were quarantined (quarantine-limit.ts). */
  maxQuarantined?: ResolvedQuarantineLimit | undefined;
  /**
   * Worker threads that parse, flatten and write the part files (issue 21; worker-rows.ts);
   * 0 or undefined: all on this thread. A user `stage` runs here, so with one this is ignored.
   */
  workers?: number | undefined;
}

/**
 * A user stage: runs on every flattened call (`FlatCallLog`: its rows per table) between the
 * transform and the dataset sink, in order, one at a time. It returns the row object to write
 * (the same or a new one) or `null` to drop the call. Checkpoints pass around it in order with
 * the rows, so crash resume still applies; completeness is checked at the source (every call the
 * API announced reached the transform), so a stage that drops calls on purpose does not fail it.
 * A stage that throws fails the run (nothing committed). Being a function, it is not part of a
 * run's resume fingerprint: resume with the same stage.
 */
export type RowStage = (row: FlatCallLog) => FlatCallLog | null | Promise<FlatCallLog | null>;

export interface PipelineResult extends SinkResult {
  quarantined: number;
  /** The run's quarantine file, relative to `outDir`, or null when nothing was quarantined. */
  quarantine: string | null;
  /** Relative to `outDir`. */
  raw: string | null;
  /** The run whose checkpoint this run resumed, or null. */
  resumedFrom: string | null;
  /** Call logs the resumed checkpoint had already staged. */
  resumedCalls: number;
  /** Checkpoints this run wrote. */
  checkpoints: number;
}

/**
 * One run = one `pipeline()`: source → flatten → dataset sink, under the run's AbortSignal. The
 * dataset lock is taken first (a locked dataset fails with code `LOCKED` before any request or
 * write). Quarantined records and the `--raw` archive are written in the run's staging dir and
 * committed by the sink's journal with the tables, atomically. On any error or abort the sink
 * publishes nothing (the previous dataset stays as it was); its staging dir is kept only when it
 * holds a checkpoint and the failure is not a completeness failure, so the same command resumes.
 *
 * @example
 * ```ts
 * await runPipeline({ records: () => logs, outDir: 'lake', format: 'parquet', tables: ['calls'],
 *   transform: { timeZone: 'UTC' }, runId: newRunId(), raw: false, signal });
 * ```
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const transform = resolveTransformOptions(options.transform);
  const logs: RunLogs = { quarantine: undefined, raw: undefined, records: 0 };
  let checkpoints = 0;
  let workers: FlattenWorkers | undefined;
  // The zone as the caller named it (checked by resolveTransformOptions just above).
  const sink = pipelineSink(options, options.transform.timeZone ?? transform.timeZone, logs, () => {
    checkpoints += 1;
  });
  try {
    await sink.ready();
    const resumed = pipelineStateOf(sink.resumedFrom?.state);
    const quarantine = await StagedLog.open(join(sink.stagingDir, QUARANTINE_STAGED), {
      gzip: false,
      records: resumed?.quarantined ?? 0,
    });
    logs.quarantine = quarantine;
    logs.records = resumed?.records ?? 0;
    const archive = options.raw
      ? await StagedLog.open(join(sink.stagingDir, RAW_STAGED), {
          gzip: true,
          records: resumed?.rawRecords ?? 0,
        })
      : undefined;
    logs.raw = archive;
    const rawWriter: RawArchiveWriter | undefined = archive && {
      write: (record) => archive.write(options.rawUnredacted ? record : redactCallLog(record, transform)),
    };
    const source = options.records({ resumed: resumed?.caller, raw: rawWriter });
    const count = options.stage ? 0 : (options.workers ?? 0);
    if (count > 0) {
      workers = FlattenWorkers.start(count, {
        config: sink.partsWriterConfig(),
        transform: options.transform,
      });
      stopOnAbort(options.signal, workers);
    }
    const rows = workers
      ? workerRows(source, {
          workers,
          transform,
          counted: logs,
          quarantine,
          raw: archive,
          fingerprint: options.resume?.fingerprint,
        })
      : flattenedRows(source, options, transform, logs, { quarantine, raw: archive });
    // The codec's one-time cost is paid while page 1 is in flight (first-request-idle.ts); with
    // workers, each warms its own codec as it starts (flatten-worker.ts), and this thread has none.
    const stopWarmUp = workers
      ? () => undefined
      : afterFirstRequestSent(() =>
          warmUpWriterCodec({ format: options.format, compression: options.compression }),
        );
    try {
      await pipeline(Readable.from(rows, { objectMode: true }), sink, { signal: options.signal });
    } finally {
      stopWarmUp();
    }
    await workers?.terminate();
  } catch (error) {
    // No worker writes on while the sink deletes or keeps the staging dir.
    await workers?.terminate();
    logs.raw?.destroy();
    logs.quarantine?.destroy();
    // A completeness failure would fail the same way again: don't keep its checkpoint.
    const incomplete = isOmnidimError(error) && error.code === 'INCOMPLETE';
    // Wait until the sink removed (or kept) its staged files and released the dataset lock.
    await sink.abort(error instanceof Error ? error : undefined, { keepCheckpoint: !incomplete });
    throw error;
  }
  return pipelineResult(sink, options, logs, checkpoints);
}

/** A signal stops the workers at once, before the pipeline destroys the sink (listeners run in order). */
function stopOnAbort(signal: AbortSignal, workers: FlattenWorkers): void {
  if (signal.aborted) void workers.terminate();
  else signal.addEventListener('abort', () => void workers.terminate(), { once: true });
}

/** The run's staged logs, opened once the sink is ready (undefined before, or without `raw`). */
interface RunLogs {
  quarantine: StagedLog | undefined;
  raw: StagedLog | undefined;
  /** Call logs that reached the transform (resumed ones included). */
  records: number;
}

/** The quarantine and the raw archive as the sink's sidecars (those that hold records). */
function sidecarsOf(logs: RunLogs, runId: string): DatasetSidecar[] {
  const list: DatasetSidecar[] = [];
  const { quarantine, raw } = logs;
  if (quarantine && quarantine.records > 0) {
    list.push({
      path: quarantinePath(runId),
      staged: QUARANTINE_STAGED,
      kind: 'quarantine',
      records: quarantine.records,
    });
  }
  if (raw && raw.records > 0) {
    list.push({ path: rawArchivePath(runId), staged: RAW_STAGED, kind: 'raw', records: raw.records });
  }
  return list;
}

/** The dataset sink of a run: lock, staging, checkpoints (with `resume`) and the commit. */
function pipelineSink(
  options: PipelineOptions,
  timeZone: string,
  logs: RunLogs,
  onCheckpointWritten: () => void,
): DatasetSink {
  const fingerprint = options.resume?.fingerprint;
  return createSink({
    outDir: options.outDir,
    format: options.format,
    tables: options.tables,
    runId: options.runId,
    timeZone,
    sourceStats: options.sourceStats ?? (() => ({})),
    beforeCommit: async () => {
      // First: a refused run must not prepare a state file or finish its sidecars for nothing.
      checkQuarantineLimit(options.maxQuarantined, logs.quarantine?.records ?? 0, logs.records);
      await options.beforeCommit?.();
      await logs.raw?.finish();
      await logs.quarantine?.finish();
    },
    sidecars: () => sidecarsOf(logs, options.runId),
    // Decided when the pipeline destroys the sink (a signal, a failed API): its checkpoint stays
    // so the same command resumes. A completeness failure would fail the same way again.
    keepCheckpoint: (error) => !(isOmnidimError(error) && error.code === 'INCOMPLETE'),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.rowsPerFile === undefined ? {} : { rowsPerFile: options.rowsPerFile }),
    ...(options.partitionBy === undefined ? {} : { partitionBy: options.partitionBy }),
    ...(options.targetFileSize === undefined ? {} : { bytesPerFile: options.targetFileSize }),
    ...(options.csvFormulaGuard ? { formulaGuard: true } : {}),
    ...(fingerprint === undefined
      ? {}
      : {
          // A malformed state is never adopted: the sink discards that staging dir instead.
          resume: (checkpoint) => pipelineStateOf(checkpoint.state)?.fingerprint === fingerprint,
          ...(options.resume?.onDiscard ? { onDiscard: options.resume.onDiscard } : {}),
          onCheckpoint: (checkpoint) => {
            onCheckpointWritten();
            options.resume?.onCheckpoint?.(checkpoint.calls);
          },
        }),
  });
}

/**
 * The source flattened: call logs become `FlatCallLog`s (through the user stage, if any), broken
 * ones go to the quarantine, and {@link CheckpointMark}s become the sink's checkpoint requests.
 */
async function* flattenedRows(
  source: AsyncIterable<unknown>,
  options: PipelineOptions,
  transform: ResolvedTransformOptions,
  counted: RunLogs,
  logs: { quarantine: StagedLog; raw: StagedLog | undefined },
): AsyncGenerator<FlatCallLog | CheckpointRequest> {
  const fingerprint = options.resume?.fingerprint;
  const { quarantine, raw } = logs;
  for await (const item of source) {
    if (item instanceof CheckpointMark) {
      if (fingerprint === undefined) continue;
      yield await checkpointAt(item, { fingerprint, records: counted.records, quarantine, raw });
      continue;
    }
    counted.records += 1;
    if (item instanceof StrayOldCall) {
      await quarantine.write({
        reason: item.reason,
        detail: item.detail,
        record: maskSecretsDeep(item.record),
      });
      continue;
    }
    // A shallow source's stub is never flattened as is (core materializeRecord; a no-op otherwise).
    const result = tryFlattenCallLog(materializeRecord(item), transform);
    if (!result.ok) await quarantine.write(result.quarantine);
    else if (!options.stage) yield result.value;
    else {
      const row = await options.stage(result.value);
      if (row) yield row;
    }
  }
}

/** What a committed run wrote, from the sink's manifest (sidecars only if this run's). */
function pipelineResult(
  sink: DatasetSink,
  options: PipelineOptions,
  logs: RunLogs,
  checkpoints: number,
): PipelineResult {
  const result = sinkResult(sink);
  const committed = new Map((sink.manifest?.sidecars ?? []).map((c) => [c.path, c]));
  const own = (path: string) => (committed.get(path)?.runId === options.runId ? path : null);
  const rel = (path: string | null) =>
    path === null ? null : relative(options.outDir, join(options.outDir, path)).split('\\').join('/');
  return {
    rows: result.rows,
    files: result.files,
    quarantined: logs.quarantine?.records ?? 0,
    quarantine: rel(own(quarantinePath(options.runId))),
    raw: rel(options.raw ? own(rawArchivePath(options.runId)) : null),
    resumedFrom: sink.resumedFrom?.runId ?? null,
    resumedCalls: sink.resumedFrom?.calls ?? 0,
    checkpoints,
  };
}

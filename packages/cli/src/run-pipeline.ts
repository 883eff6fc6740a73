import { relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TransformOptions } from '@omnidim-stream/transform';
import { createFlatten, createSink, type SinkResult, sinkResult } from './engine.js';
import { RawArchive } from './raw-archive.js';

/** Options of {@link runPipeline}: one source of call logs into one dataset. */
export interface PipelineOptions {
  /**
   * Call logs, in order; called once the transform and sink options are validated, so a bad
   * option fails before any request. Receives the raw archive (if any) to tee into.
   */
  records: (raw: RawArchive | undefined) => AsyncIterable<unknown>;
  outDir: string;
  format: 'parquet' | 'csv' | 'ndjson';
  tables: readonly string[];
  compression?: string | undefined;
  rowsPerFile?: number | undefined;
  transform: TransformOptions;
  runId: string;
  /** Also keep every call log as received, gzipped NDJSON under `raw/`. */
  raw: boolean;
  /** Source totals recorded in the manifest (read at commit time). */
  sourceStats?: () => Record<string, unknown>;
  signal: AbortSignal;
}

export interface PipelineResult extends SinkResult {
  quarantined: number;
  /** Relative to `outDir`. */
  raw: string | null;
}

/**
 * One run = one `pipeline()`: source → flatten → dataset sink, under the run's AbortSignal. On
 * any error or abort the sink commits nothing (the previous dataset stays as it was) and the raw
 * archive's temp file is removed. The raw archive is flushed and fsync'd in the sink's
 * `beforeCommit` (a failure there aborts the commit) and renamed into place right after it.
 *
 * @example
 * ```ts
 * await runPipeline({ records: () => logs, outDir: 'lake', format: 'parquet', tables: ['calls'],
 *   transform: { timeZone: 'UTC' }, runId: newRunId(), raw: false, signal });
 * ```
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const flatten = createFlatten(options.transform);
  let raw: RawArchive | undefined;
  const sink = createSink({
    outDir: options.outDir,
    format: options.format,
    tables: options.tables,
    runId: options.runId,
    sourceStats: options.sourceStats ?? (() => ({})),
    beforeCommit: async () => {
      await raw?.finish();
    },
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.rowsPerFile === undefined ? {} : { rowsPerFile: options.rowsPerFile }),
  });
  try {
    raw = options.raw ? await RawArchive.open(options.outDir, options.runId) : undefined;
    await pipeline(Readable.from(options.records(raw), { objectMode: true }), flatten, sink, {
      signal: options.signal,
    });
  } catch (error) {
    // Wait until the sink removed its staged files and released the dataset lock.
    await sink.abort(error instanceof Error ? error : undefined);
    await raw?.discard();
    throw error;
  }
  const rawPath = raw ? await raw.commit() : null;
  const result = sinkResult(sink);
  return {
    rows: result.rows,
    files: result.files,
    quarantined: flatten.stats.quarantined,
    raw: rawPath === null ? null : relative(options.outDir, rawPath).split('\\').join('/'),
  };
}

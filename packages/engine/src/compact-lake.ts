/**
 * `compactLake()`: the library call behind `omnidim-stream compact` (issue 16). Rewrites an
 * existing lake into a partition grain and target file size through the sink's `compactDataset`
 * (atomic, row counts and call ids checked before the commit), then records the new grain in the
 * incremental state, when there is one, so the state keeps telling the truth about the lake.
 */
import { checkInteger, checkOneOf, InvalidOptionError } from '@omnidim-stream/core';
import {
  type CompactResult,
  compactDataset,
  DATASET_DEFAULTS,
  PARTITION_GRAINS,
  type PartitionGrain,
} from '@omnidim-stream/sinks';
import { prepareRunState, readRunState } from './run-state.js';

/** Options of {@link compactLake}. */
export interface CompactLakeOptions {
  /** The dataset directory. */
  outDir: string;
  /** The grain to rewrite into. Default: the lake's own (then only the files are right-sized). */
  partitionBy?: PartitionGrain;
  /** Target size of a data file in bytes. Default 128 MiB. */
  targetFileSize?: number;
  /** The incremental state file of the lake, if any: its recorded grain is updated. */
  stateFile?: string;
  runId?: string;
  /** Stops the compaction: it fails with `AbortError` (code ABORTED), the lake and state unchanged. */
  signal?: AbortSignal;
}

/** What {@link compactLake} did. */
export interface CompactLakeResult extends CompactResult {
  /** True when a state file existed and now records the new grain. */
  stateUpdated: boolean;
}

/**
 * Compacts the lake at `outDir` (see the module comment). Options are checked before anything is
 * read; a failed compaction leaves the lake and the state as they were.
 *
 * @example
 * ```ts
 * const result = await compactLake({ outDir: 'lake', partitionBy: 'month' });
 * console.log(result.filesBefore, '→', result.filesAfter);
 * ```
 */
export async function compactLake(options: CompactLakeOptions): Promise<CompactLakeResult> {
  if (typeof options.outDir !== 'string' || options.outDir.trim() === '') {
    throw new InvalidOptionError('outDir', 'a non-empty string', options.outDir);
  }
  const partitionBy =
    options.partitionBy === undefined
      ? undefined
      : checkOneOf('partitionBy', options.partitionBy, PARTITION_GRAINS);
  const targetFileSize = checkInteger(
    'targetFileSize',
    options.targetFileSize ?? DATASET_DEFAULTS.bytesPerFile,
    {
      min: 1024 * 1024,
      max: Number.MAX_SAFE_INTEGER,
    },
  );
  const state = options.stateFile === undefined ? undefined : await readRunState(options.stateFile);
  const result = await compactDataset({
    out: options.outDir,
    bytesPerFile: targetFileSize,
    ...(partitionBy === undefined ? {} : { partitionBy }),
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (state === undefined || options.stateFile === undefined) return { ...result, stateUpdated: false };
  const prepared = await prepareRunState(options.stateFile, { ...state, partitionBy: result.to });
  await prepared.commit();
  return { ...result, stateUpdated: true };
}

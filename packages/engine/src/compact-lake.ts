/**
 * `compactLake()`: the library call behind `omnidim-stream compact` (issue 16). Rewrites an
 * existing lake into a partition grain and target file size through the sink's `compactDataset`
 * (atomic, row counts and call ids checked before the commit), then records the new grain in the
 * incremental state, when there is one, so the state keeps telling the truth about the lake.
 * On `s3://…` (issue 18) the same compaction runs in a working copy (object-store-run.ts): the
 * lock in the bucket, the files read from the bucket on first open, the manifest PUT as the
 * commit point, the old grain's objects deleted after it.
 */

import { join } from 'node:path';
import { checkInteger, checkOneOf, InvalidOptionError } from '@omnidim-stream/core';
import {
  type CompactResult,
  compactDataset,
  DATASET_DEFAULTS,
  PARTITION_GRAINS,
  type PartitionGrain,
} from '@omnidim-stream/sinks';
import {
  type ObjectStoreTargetOptions,
  objectStateKey,
  runOnObjectStore,
  targetsObjectStore,
} from './object-store-run.js';
import { newRunId } from './run-id.js';
import { prepareRunState, readRunState } from './run-state.js';

/** Options of {@link compactLake}. */
export interface CompactLakeOptions extends ObjectStoreTargetOptions {
  /** The dataset directory, or `s3://bucket/prefix`. */
  outDir: string;
  /** The grain to rewrite into. Default: the lake's own (then only the files are right-sized). */
  partitionBy?: PartitionGrain;
  /** Target size of a data file in bytes. Default 128 MiB. */
  targetFileSize?: number;
  /**
   * The incremental state file of the lake, if any: its recorded grain is updated. On an object
   * store, a name beside the data (`s3://…/_state.json`, the default there).
   */
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
  const checked = {
    ...options,
    targetFileSize,
    ...(partitionBy === undefined ? {} : { partitionBy }),
  };
  if (targetsObjectStore(options)) return compactObjectLake(checked);
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

/**
 * {@link compactLake} on an object store: the local compaction, unchanged, on the run's working
 * copy, published like an export (the manifest PUT is the commit point; a failure leaves the
 * bucket's lake and state as they were).
 */
async function compactObjectLake(options: CompactLakeOptions): Promise<CompactLakeResult> {
  const runId = options.runId ?? newRunId();
  const stateKey = objectStateKey(options.outDir, options.stateFile ?? `${options.outDir}/_state.json`);
  const done = await runOnObjectStore<{ type: string }, CompactLakeResult & { outputDir: string }>(
    {
      ...options,
      runId,
      stateKey,
      warning: (message) => ({ type: 'warning', message }),
      failedEnd: () => ({ type: 'end' }),
    },
    async (workDir) => ({
      ...(await compactLake({
        ...options,
        outDir: workDir,
        storage: undefined,
        runId,
        stateFile: join(workDir, stateKey),
      })),
      outputDir: workDir,
    }),
  );
  const { outputDir: _workDir, ...result } = done;
  return result;
}

/**
 * Runs an export or a convert on an object-store dataset (issue 18): `outDir: 's3://bucket/prefix'`
 * or a `storage` object. The run itself is the local one, unchanged, in a private working copy
 * (sinks' object-lake-mirror.ts); around it, in this order: the store's conditional writes are
 * probed, the lock is taken in the bucket, the manifest, state and interrupted runs' checkpoints
 * are downloaded (the data files a merge or compact rewrites are fetched when first read:
 * sinks' lake-file-fetch.ts); each checkpoint goes back up as it is written; a run that succeeded is
 * published (object-lake-publish.ts: the manifest PUT is the commit point), a run that failed
 * leaves the bucket's dataset and state as they were and its checkpoint in the bucket for resume.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '@omnidim-stream/core';
import {
  acquireObjectLock,
  attachLakeStore,
  checkObjectStore,
  closePartUploadClients,
  hydrateWorkingCopy,
  isS3Url,
  isSafeDatasetKey,
  type ObjectLock,
  type ObjectStore,
  openS3Store,
  parseS3Url,
  probeConditionalWrites,
  publishWorkingCopy,
  removeUnkeptUploads,
  S3_DEFAULT_PART_SIZE,
  type S3StoreOptions,
  type StreamedParts,
  s3ConnectionOf,
  saveCheckpointForResume,
  uploadCheckpoint,
} from '@omnidim-stream/sinks';
import { UsageError } from './errors.js';
import { QUARANTINE_DIR, RAW_DIR } from './raw-archive.js';

/** The options of an export or convert that say where an object-store dataset is. */
export interface ObjectStoreTargetOptions {
  /** A dataset in an object store other than by URL (e.g. a custom `ObjectStore`); `outDir` then only names it. */
  storage?: ObjectStore;
  /** How to reach an `s3://` target: endpoint, path style (credentials come from the AWS chain). */
  s3?: S3StoreOptions;
  /**
   * No other run can write to this dataset at the same time (`--single-writer`): a store without
   * conditional writes may then be used, and a lock left by a killed run is taken over at once.
   */
  singleWriter?: boolean;
}

/** True when the run's dataset lives in an object store rather than a local directory. */
export function targetsObjectStore(options: { outDir: unknown; storage?: unknown }): boolean {
  return options.storage !== undefined || isS3Url(options.outDir);
}

/**
 * The key of the state in the bucket for `stateFile`: `s3://<the dataset>/<key>` or a bare key.
 * Anything else (a local path) is refused: a container has no disk between runs.
 */
export function objectStateKey(outDir: string, stateFile: string): string {
  const base = `${outDir.replace(/\/+$/, '')}/`;
  const key = stateFile.startsWith(base) ? stateFile.slice(base.length) : stateFile;
  if (key.includes('/') || isS3Url(key) || !isSafeDatasetKey(key)) {
    throw new InvalidOptionError(
      'incremental.stateFile',
      `a name beside the data in the bucket (e.g. ${base}_state.json)`,
      stateFile.slice(0, 120),
    );
  }
  return key;
}

/**
 * Where the part files of a run on an `s3://` target are streamed while written: the same bucket
 * and connection as the store, as plain data (a worker thread builds its writers from it). A
 * custom `storage` object has no such description: its run writes part files to the working
 * copy and uploads them at the commit (object-lake-publish.ts).
 */
function streamedParts(target: ObjectStoreTargetOptions & { outDir: string }): StreamedParts | undefined {
  if (target.storage !== undefined) return undefined;
  const { bucket, prefix } = parseS3Url(target.outDir);
  return {
    ...s3ConnectionOf(bucket, target.s3),
    prefix,
    partSize: target.s3?.partSize ?? S3_DEFAULT_PART_SIZE,
  };
}

/** What {@link runOnObjectStore} needs. */
export interface ObjectStoreRun<E extends { type: string }> extends ObjectStoreTargetOptions {
  outDir: string;
  runId: string;
  /** The state's key (incremental exports), downloaded before and written after the commit. */
  stateKey?: string | undefined;
  onEvent?: ((event: E) => void) | undefined;
  /** The event that tells the user something (a warning). */
  warning: (message: string) => E;
  /** The `end` event of a run that failed before the local run started (e.g. locked). */
  failedEnd: (error: unknown) => E;
}

/**
 * Runs `run(workDir, onEvent)` (the local export or convert, on the working copy) on the object
 * store named by `target`; see the module comment. The `end` event is held back until the bucket
 * is committed (or the run failed), and says the dataset's URL rather than the working copy.
 */
export async function runOnObjectStore<E extends { type: string }, R extends { outputDir: string }>(
  target: ObjectStoreRun<E>,
  run: (workDir: string, onEvent: (event: E) => void) => Promise<R>,
): Promise<R> {
  if (target.storage === undefined) parseS3Url(target.outDir);
  else checkObjectStore(target.storage);
  const warn = (message: string) => target.onEvent?.(target.warning(message));
  const store = target.storage ?? (await openS3Store(target.outDir, target.s3));
  let lock: ObjectLock | undefined;
  let workDir: string | undefined;
  let detach: (() => void) | undefined;
  let ended: (E & { result: R; error: unknown }) | undefined;
  let error: unknown;
  try {
    const support = await probeConditionalWrites(store, target.runId);
    if (support !== 'honoured' && target.singleWriter !== true) {
      throw new UsageError(
        `${store.location} ${support === 'ignored' ? 'ignores' : 'rejects'} conditional writes (If-None-Match), so its lock cannot keep two runs apart; pass --single-writer (singleWriter: true) if no other run can write there at the same time`,
      );
    }
    if (support !== 'honoured') {
      warn(
        `${store.location} ${support} conditional writes: relying on --single-writer (no other run may write there)`,
      );
    }
    lock = await acquireObjectLock(store, {
      runId: target.runId,
      conditional: support === 'honoured',
      singleWriter: target.singleWriter === true,
    });
    workDir = await mkdtemp(join(tmpdir(), 'omnidim-stream-'));
    const ignored = await hydrateWorkingCopy(store, workDir, target.stateKey ? [target.stateKey] : []);
    for (const key of ignored) {
      warn(
        `ignoring ${JSON.stringify(`${store.location}/${key}`.slice(0, 200))}: not a key this tool writes (a path with . or .. segments); it was left alone, remove it to silence this warning`,
      );
    }
    const dir = workDir;
    // Merge-on-write and compact read the partitions they rewrite from the bucket, on first open;
    // on an `s3://` target the part files are streamed to the bucket while written.
    detach = attachLakeStore(dir, store, streamedParts(target));
    const uploaded = new Set<string>();
    let checkpoints: Promise<void> = Promise.resolve();
    const onEvent = (event: E) => {
      if (event.type === 'end') {
        ended = event as E & { result: R; error: unknown };
        return;
      }
      if (event.type === 'checkpoint') {
        // In order, one at a time; a failed upload only makes a resume start further back.
        checkpoints = checkpoints
          .then(() => uploadCheckpoint(store, dir, target.runId, uploaded))
          .then(
            () => undefined,
            () =>
              warn(`could not copy the checkpoint to ${store.location}; a resume would start further back`),
          );
      }
      target.onEvent?.(event);
    };
    try {
      const result = await run(dir, onEvent);
      await checkpoints;
      await publishWorkingCopy(store, dir, {
        lock,
        afterManifest: target.stateKey ? [target.stateKey] : [],
        sidecarDirs: [RAW_DIR, QUARANTINE_DIR],
      });
      return result;
    } catch (caught) {
      await checkpoints;
      await saveCheckpointForResume(store, dir, target.runId, uploaded).catch(() =>
        warn(`could not keep this run's checkpoint in ${store.location}; the next run starts over`),
      );
      // Streamed part files the kept checkpoint does not need (the next success deletes any left).
      await removeUnkeptUploads(store, dir, target.runId).catch(() => undefined);
      throw caught;
    }
  } catch (caught) {
    error = caught;
    throw caught;
  } finally {
    detach?.();
    await lock?.release().catch(() => undefined);
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    if (target.storage === undefined) {
      store.close();
      closePartUploadClients();
    }
    if (!ended) target.onEvent?.(target.failedEnd(error));
    else {
      const result = ended.result as R & { incremental?: { stateFile: string } | null };
      result.outputDir = store.location;
      if (result.incremental && target.stateKey)
        result.incremental.stateFile = `${store.location}/${target.stateKey}`;
      target.onEvent?.({ ...ended, error: error ?? ended.error });
    }
  }
}

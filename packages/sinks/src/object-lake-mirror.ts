/**
 * The run's working copy of an object-store dataset (issue 18). A run on `s3://…` runs the
 * local dataset engine (dataset-run.ts: staging, checkpoints, adoption, the journal'd commit) in
 * a private temp directory, which holds only what the run needs from the bucket: the manifest,
 * the state and the checkpoints of interrupted runs (`_staging/`), never the data. Checkpoints go
 * back to the bucket as they are written, so a pod killed mid-run resumes in a fresh pod; the
 * commit to the bucket is object-lake-publish.ts.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { type DatasetCheckpoint, readCheckpoint } from './dataset-checkpoint.js';
import {
  CHECKPOINT_NAME,
  DIR_MODE,
  datasetPath,
  isSafeRelative,
  MANIFEST_NAME,
  partFilePrefix,
  partFileRel,
  STAGING_DIR,
  stagedPartRel,
  stagingRel,
} from './dataset-layout.js';
import { SinkError } from './errors.js';
import { streamedPartsOf } from './lake-file-fetch.js';
import type { DatasetManifest } from './manifest.js';
import type { ObjectStore } from './object-store.js';

/**
 * Downloads into `dir` the manifest, `extraKeys` (the state) and every object under `_staging/`;
 * returns the keys under `_staging/` it left alone. A key that is not a plain relative path
 * (`_staging/../x`: S3 keys are free text, anyone who can write the prefix can plant one) is no
 * key this tool writes: it is neither downloaded (a hostile bucket cannot make the run write
 * outside its working copy) nor deleted (a server that normalises paths would delete `x`), and
 * it does not stop the run either (refusing would make every later run fail until someone
 * removes it): the caller warns, naming it.
 *
 * @example
 * const ignored = await hydrateWorkingCopy(store, workDir, ['_state.json']);
 */
export async function hydrateWorkingCopy(
  store: ObjectStore,
  dir: string,
  extraKeys: readonly string[] = [],
): Promise<string[]> {
  const staging = await store.list(`${STAGING_DIR}/`);
  const root = [MANIFEST_NAME, ...extraKeys];
  const present = new Set(await store.list('_'));
  const ignored = staging.filter((key) => !isSafeRelative(key));
  for (const key of [...root.filter((k) => present.has(k)), ...staging.filter(isSafeRelative)]) {
    if (!isSafeRelative(key)) {
      throw new SinkError(
        `Refusing ${JSON.stringify(String(key).slice(0, 80))} in ${store.location}: not a plain dataset path`,
      );
    }
    const file = datasetPath(dir, key);
    await mkdir(dirname(file), { recursive: true, mode: DIR_MODE });
    await store.download(key, file);
  }
  return ignored;
}

/**
 * Uploads the checkpoint of run `runId` from the working copy: first every staged file and
 * sidecar it lists, then `_checkpoint.json` itself, so the bucket never holds a checkpoint naming
 * a file it lacks. Returns the keys written (undefined when the run has no checkpoint).
 */
export async function uploadCheckpoint(
  store: ObjectStore,
  dir: string,
  runId: string,
  uploaded: Set<string>,
): Promise<string[] | undefined> {
  const runDir = datasetPath(dir, stagingRel(runId));
  const checkpoint: DatasetCheckpoint | undefined = await readCheckpoint(runDir);
  if (!checkpoint) return undefined;
  const keys: string[] = [];
  const streamed = streamedPartsOf(dir) !== undefined;
  for (const f of checkpoint.files) {
    const key = stagedPartRel(runId, f);
    keys.push(key);
    // Part files never change once listed: each goes up once. Streamed ones are in the bucket
    // already, at their final keys (staged-parts.ts).
    if (streamed) continue;
    if (!uploaded.has(key)) await store.upload(key, datasetPath(dir, key));
    uploaded.add(key);
  }
  for (const s of checkpoint.sidecars) {
    // Sidecars grow between checkpoints (adoption truncates them back to `bytes`): always sent.
    const key = stagingRel(runId, s.staged);
    keys.push(key);
    await store.upload(key, datasetPath(dir, key));
  }
  const key = stagingRel(runId, CHECKPOINT_NAME);
  await store.upload(key, datasetPath(dir, key));
  keys.push(key);
  return keys;
}

/**
 * After a failed run: uploads its checkpoint (if it kept one) and then deletes every other object
 * under `_staging/` (the interrupted runs it adopted or discarded at its start), so the bucket
 * holds what the local dataset would. Without a checkpoint of its own (none written, or the run
 * failed after its local commit removed it: a refused publish) only the run's own staging objects
 * are deleted: a checkpoint copied there earlier names part objects that are deleted next.
 */
export async function saveCheckpointForResume(
  store: ObjectStore,
  dir: string,
  runId: string,
  uploaded: Set<string>,
): Promise<boolean> {
  const kept = await uploadCheckpoint(store, dir, runId, uploaded);
  if (kept === undefined) {
    await store.delete((await store.list(`${stagingRel(runId)}/`)).filter(isSafeRelative));
    return false;
  }
  const keep = new Set(kept);
  // Only plain dataset paths: a planted `_staging/../x` is not ours to delete (see hydrateWorkingCopy).
  const stale = (await store.list(`${STAGING_DIR}/`)).filter((key) => !keep.has(key) && isSafeRelative(key));
  await store.delete(stale);
  return true;
}

/**
 * After a failed run that streamed its part files: deletes the ones it uploaded (named with
 * `runId`) that its kept checkpoint (if any) does not list, so a reader that globs the bucket
 * sees no more of a failed run than its checkpoint needs for resume. Best effort: what a kill
 * leaves is deleted by the next successful run (object-lake-publish.ts, step 5).
 */
export async function removeUnkeptUploads(store: ObjectStore, dir: string, runId: string): Promise<void> {
  // The manifest PUT may have landed with its answer lost: then this run is committed and its
  // files are the lake's. A manifest that cannot be read stops the cleanup (it throws).
  const current = await store.get(MANIFEST_NAME);
  const manifest = current
    ? (JSON.parse(current.body.toString('utf8')) as Partial<DatasetManifest>)
    : undefined;
  if (manifest?.runId === runId) return;
  const checkpoint = await readCheckpoint(datasetPath(dir, stagingRel(runId))).catch(() => undefined);
  const keep = new Set([
    ...(checkpoint?.files ?? []).map((f) => partFileRel(f)),
    ...(manifest?.files ?? []).map((f) => f.path),
  ]);
  const mine = partFilePrefix(runId);
  const doomed: string[] = [];
  for (const table of TABLE_NAMES) {
    for (const key of await store.list(`${table}/`)) {
      // A planted `calls/../../part-<runId>-…` carries this run's name but is no key it wrote.
      if (!isSafeRelative(key)) continue;
      if (key.slice(key.lastIndexOf('/') + 1).startsWith(mine) && !keep.has(key)) doomed.push(key);
    }
  }
  await store.delete(doomed);
}

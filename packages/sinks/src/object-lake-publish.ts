/**
 * The commit of a run to an object store (issue 18), which has no rename. The local dataset
 * engine has committed the run in the working copy (object-lake-mirror.ts); then:
 * 1. every file the new manifest lists that the bucket lacks is uploaded (multipart, streamed):
 *    part names carry the run id, so no existing object is ever overwritten;
 * 2. the run's part objects streamed earlier are HEADed (staged-object-check.ts): one replaced
 *    since its upload refuses the commit; then the lock is confirmed (renewed with `If-Match`):
 *    a run that lost it stops here;
 * 3. `_manifest.json` is written: the commit point. A reader that follows the manifest sees
 *    exactly the old version before this PUT and exactly the new one after it;
 * 4. the state (`_state.json`) follows, then the `_SUCCESS` markers;
 * 5. only now are objects not in the manifest deleted: replaced part files, and whatever a run
 *    killed in steps 1–4 left (its uploads were never listed); 6. multipart uploads a killed run
 *    left open are aborted. After this step the data objects
 *    under the prefix are exactly the manifest's, so a reader that globs sees each call once.
 * A failure before step 3 deletes what this run uploaded (the bucket is as it was); a kill before
 * step 3 leaves the previous version readable, and the next successful run's step 5 removes the
 * orphans. A kill between 3 and 4 leaves the previous state beside the new data: the
 * next incremental run re-reads more dates than needed and replaces them (never fewer).
 */
import { lstat } from 'node:fs/promises';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { datasetPath, isSafeRelative, MANIFEST_NAME, STAGING_DIR, SUCCESS_NAME } from './dataset-layout.js';
import { SinkError } from './errors.js';
import { type DatasetManifest, readManifest } from './manifest.js';
import type { ObjectLock } from './object-lock.js';
import type { ObjectStore } from './object-store.js';
import { checkStreamedParts } from './staged-object-check.js';

/** Uploads in flight at once (each holds at most a few parts in memory). */
const UPLOAD_CONCURRENCY = 4;

/** What {@link publishWorkingCopy} needs besides the store and the working copy. */
export interface PublishOptions {
  lock: ObjectLock;
  /** Keys of root files written after the manifest when present in the working copy (the state). */
  afterManifest?: readonly string[];
  /** Top-level dirs of sidecars (`raw`, `_quarantine`): orphans there are deleted too. */
  sidecarDirs?: readonly string[];
}

/**
 * Commits the working copy `dir` to `store` (see the module comment); returns the manifest.
 *
 * @example
 * const manifest = await publishWorkingCopy(store, workDir, { lock, afterManifest: ['_state.json'] });
 */
export async function publishWorkingCopy(
  store: ObjectStore,
  dir: string,
  options: PublishOptions,
): Promise<DatasetManifest> {
  const manifest = await readManifest(dir);
  if (!manifest) throw new SinkError(`The run committed no ${MANIFEST_NAME} to publish`);
  const existing = new Set(await store.list());
  const listed = [...manifest.files.map((f) => f.path), ...(manifest.sidecars ?? []).map((s) => s.path)];
  const missing = listed.filter((path) => !existing.has(path));
  try {
    for (let i = 0; i < missing.length; i += UPLOAD_CONCURRENCY) {
      // Settled, not raced: no upload of this batch may still land after a rollback below.
      const batch = await Promise.allSettled(
        missing.slice(i, i + UPLOAD_CONCURRENCY).map(async (path) => {
          const file = datasetPath(dir, path);
          // Listed by the new manifest but neither in the bucket nor here: publishing would commit
          // a manifest naming a file no reader can open.
          if (!(await isFile(file))) {
            throw new SinkError(`${path} is listed by the new manifest but missing from ${store.location}`);
          }
          await store.upload(path, file);
        }),
      );
      const failed = batch.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    // The run's streamed part objects still hold what the manifest says (a HEAD each), checked
    // before the lock's confirmation so that confirmation and the manifest PUT stay back to back.
    await checkStreamedParts(store, manifest, (path) => existing.has(path));
    await options.lock.confirm();
    await store.upload(MANIFEST_NAME, datasetPath(dir, MANIFEST_NAME));
  } catch (error) {
    // Before the commit point: take back what this run uploaded, so a reader that globs sees the
    // previous version only (best effort; a kill leaves them to the next run's step 5). Unless the
    // manifest PUT did land (its answer lost): then the run is committed and its files stay.
    const current = await store.get(MANIFEST_NAME).catch(() => 'unknown' as const);
    if (current === 'unknown') throw error;
    if (current === undefined || manifestRunId(current.body) !== manifest.runId) {
      await store.delete(missing).catch(() => undefined);
      throw error;
    }
  }
  // After the commit point, a failure no longer undoes the run: say so, like the local commit.
  try {
    for (const key of options.afterManifest ?? []) {
      if (await isFile(datasetPath(dir, key))) await store.upload(key, datasetPath(dir, key));
    }
    for (const table of TABLE_NAMES) {
      const key = `${table}/${SUCCESS_NAME}`;
      if (await isFile(datasetPath(dir, key))) await store.upload(key, datasetPath(dir, key));
      else if (manifest.mode === 'overwrite') await store.delete([key]);
    }
    await store.delete(unlisted(existing, new Set(listed), options.sidecarDirs ?? []));
  } catch (error) {
    throw new SinkError(
      `The run was committed (${store.location}/${MANIFEST_NAME} lists it) but writing the state or cleaning up failed; the next run on ${store.location} finishes the cleanup (${error instanceof Error ? error.message : 'error'})`,
    );
  }
  await abortLeftUploads(store);
  return manifest;
}

/**
 * Step 6: aborts the multipart uploads a killed run left open under the dataset (part files are
 * streamed while written: a kill mid-file leaves one), so no parts stay billed. Under the lock,
 * every open upload there is a dead run's. Best effort: a server without ListMultipartUploads
 * keeps them for its lifecycle rule (README: AbortIncompleteMultipartUpload).
 */
async function abortLeftUploads(store: ObjectStore): Promise<void> {
  const left = await store.listUnfinishedUploads().catch(() => []);
  for (const upload of left) await store.abortUpload(upload.key, upload.uploadId).catch(() => undefined);
}

/**
 * The objects a committed run deletes: data under a table dir or in a sidecar dir and not
 * listed, everything under `_staging/`, and leftover lock probes; never a key that is not a plain
 * dataset path (see the loop). Root files (`_manifest.json`, `_lock`, the state, files of other
 * tools) and `_SUCCESS` markers are never touched.
 */
export function unlisted(
  keys: Iterable<string>,
  listed: ReadonlySet<string>,
  sidecarDirs: readonly string[],
): string[] {
  const doomed: string[] = [];
  for (const key of keys) {
    // A key that is no plain dataset path (`calls/../../x`, planted: S3 keys are free text) is
    // left alone: a server or proxy that normalises the request path would delete `x` outside
    // the prefix.
    if (listed.has(key) || !isSafeRelative(key)) continue;
    const top = key.slice(0, Math.max(0, key.indexOf('/')));
    const name = key.slice(key.lastIndexOf('/') + 1);
    // Any file under a table dir whose name is not `_`-prefixed is data, whatever the partition
    // scheme (the layout owns it): the rule does not change when partition dirs do.
    const tableData = (TABLE_NAMES as readonly string[]).includes(top) && !name.startsWith('_');
    if (tableData || sidecarDirs.includes(top) || top === STAGING_DIR || key.startsWith('_probe-')) {
      doomed.push(key);
    }
  }
  return doomed;
}

async function isFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function manifestRunId(body: Buffer): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as { runId?: unknown }).runId;
  } catch {
    return undefined;
  }
}

/**
 * Where a working copy's missing lake files come from (issue 18 on top of issue 16). A run on
 * `s3://…` executes the local dataset engine in a working copy that holds the manifest, the
 * state and the checkpoints, never the data; merge-on-write and `compact` still have to read the
 * partitions they rewrite. So the run attaches its store to the working copy, and lake-files.ts
 * fetches a committed file from it the first time that file is opened: streamed to the working
 * copy's disk (bounded memory whatever its size), at a key confined to the dataset, only the
 * files a rewrite actually reads (an incremental run fetches its lookback window, not the lake).
 * A registry keyed by the working copy's directory rather than an option threaded through the
 * export, the dataset run, the rewrite and the row readers: the working copy is private to its
 * run (a fresh temp directory), so no other run can see or reuse the attachment.
 */
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, normalize } from 'node:path';
import { DIR_MODE, STAGING_DIR, tempPath } from './dataset-layout.js';
import type { ObjectStore } from './object-store.js';

const attached = new Map<string, ObjectStore>();

/**
 * Makes lake-files.ts fetch the committed files missing from `root` from `store` until the
 * returned function is called (call it when the run ends, in a `finally`).
 *
 * @example
 * const detach = attachLakeStore(workDir, store);
 * try { await run(workDir); } finally { detach(); }
 */
export function attachLakeStore(root: string, store: ObjectStore): () => void {
  const key = normalize(root);
  attached.set(key, store);
  return () => {
    if (attached.get(key) === store) attached.delete(key);
  };
}

/**
 * Ensures the committed file `rel` is at `path` (its confined place under `root`): downloads it
 * from the attached store when it is absent. Staged files are the run's own: never fetched. The
 * download goes to a temp sibling renamed into place, so a failed one leaves no half file that a
 * later open would take for the whole.
 */
export async function fetchMissingLakeFile(root: string, rel: string, path: string): Promise<void> {
  const store = attached.get(normalize(root));
  if (store === undefined || rel.startsWith(`${STAGING_DIR}/`)) return;
  const present = await lstat(path).then(
    () => true,
    () => false,
  );
  if (present) return;
  await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  const temp = tempPath(dirname(path), rel.slice(rel.lastIndexOf('/') + 1), 'fetch');
  try {
    await store.download(rel, temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

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
 *
 * With `streamParts`, the run's own part files are not on that disk either: staged-parts.ts
 * streams each one to its final key while it is written (object-part-upload.ts). A staged file
 * read back (the commit's small-file merge, merge-on-write's id scan, compact) is then read from
 * its final key with ranged GETs, never copied to the working copy, and an adopted checkpoint's
 * files are checked in the bucket.
 */
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, normalize } from 'node:path';
import { committedRelOfStaged, DIR_MODE, STAGING_DIR, tempPath } from './dataset-layout.js';
import type { ObjectPartTarget } from './object-part-upload.js';
import type { ObjectHead, ObjectStore } from './object-store.js';

/** Where the part files of a run on a working copy are streamed: the target without its key. */
export type StreamedParts = Omit<ObjectPartTarget, 'key'>;

interface Attachment {
  store: ObjectStore;
  streamParts: StreamedParts | undefined;
}

const attached = new Map<string, Attachment>();

/**
 * Makes lake-files.ts fetch the committed files missing from `root` from `store` until the
 * returned function is called (call it when the run ends, in a `finally`); with `streamParts`,
 * the run's part files are streamed to the bucket while written (see the module comment).
 *
 * @example
 * const detach = attachLakeStore(workDir, store);
 * try { await run(workDir); } finally { detach(); }
 */
export function attachLakeStore(root: string, store: ObjectStore, streamParts?: StreamedParts): () => void {
  const key = normalize(root);
  const attachment = { store, streamParts };
  attached.set(key, attachment);
  return () => {
    if (attached.get(key) === attachment) attached.delete(key);
  };
}

/** Where the part files of the dataset at `root` are streamed, or undefined (written to disk). */
export function streamedPartsOf(root: string): StreamedParts | undefined {
  return attached.get(normalize(root))?.streamParts;
}

/**
 * The size and ETag in the bucket of a streamed staged file (`rel` is its staged path: one HEAD),
 * or undefined when `root` does not stream its parts or the object is absent.
 */
export async function streamedPartHead(root: string, rel: string): Promise<ObjectHead | undefined> {
  const remote = streamedStagedObject(root, rel);
  return remote?.store.head(remote.key);
}

/**
 * The bucket object of the streamed staged file `rel` (its staged path) and the store to read it
 * from, or undefined when `root` does not stream its parts or `rel` is no staged part file. A
 * run's own files are read back straight from the bucket (ranged reads), never copied here.
 */
export function streamedStagedObject(
  root: string,
  rel: string,
): { store: ObjectStore; key: string } | undefined {
  const attachment = attached.get(normalize(root));
  const key = committedRelOfStaged(rel);
  if (attachment?.streamParts === undefined || key === undefined) return undefined;
  return { store: attachment.store, key };
}

/**
 * Ensures the committed file `rel` is at `path` (its confined place under `root`): downloads it
 * from the attached store when it is absent. Staged files are the run's own: never fetched (when
 * streamed, they are read from the bucket: {@link streamedStagedObject}). The download goes to a
 * temp sibling renamed into place, so a failed one leaves no half file that a later open would
 * take for the whole.
 */
export async function fetchMissingLakeFile(root: string, rel: string, path: string): Promise<void> {
  const store = attached.get(normalize(root))?.store;
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

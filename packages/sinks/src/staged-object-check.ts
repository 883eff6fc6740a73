/**
 * The last check of an object-store commit before its manifest PUT (issue 18, hardening): the
 * part files a run streamed to the bucket (object-part-upload.ts) sat there, at their final keys,
 * from their upload until the commit; another writer, a hand edit or a restored backup may have
 * replaced one meanwhile (after a resume's adoption checked it, or during the run). The manifest
 * would then list bytes that are not the ones its sha256 and row counts describe, in a run that
 * exits 0. So each of the run's streamed objects is HEADed (one request each, a bounded number
 * in flight) and must still have the size and ETag its upload got.
 */
import { StagedPartChangedError } from './errors.js';
import type { DatasetManifest, ManifestFile } from './manifest.js';
import { type ObjectHead, type ObjectStore, sameEtag } from './object-store.js';

/** HEADs in flight at once: enough to hide a round trip, few enough for any server's rate limit. */
const HEAD_CONCURRENCY = 8;

/**
 * Throws {@link StagedPartChangedError} (naming the key) unless every file of `manifest` written
 * by its own run and already in the bucket (`inBucket`: streamed, not uploaded by the commit) has
 * the size and, when recorded, the ETag the manifest lists. Files of earlier runs were checked by
 * their own commit and are not HEADed again.
 *
 * @example
 * await checkStreamedParts(store, manifest, (path) => existing.has(path));
 */
export async function checkStreamedParts(
  store: ObjectStore,
  manifest: DatasetManifest,
  inBucket: (path: string) => boolean,
): Promise<void> {
  const own = manifest.files.filter((f) => f.runId === manifest.runId && inBucket(f.path));
  let next = 0;
  const worker = async () => {
    while (next < own.length) {
      const file = own[next++]!;
      const problem = headProblem(file, await store.head(file.path));
      if (problem !== undefined) {
        throw new StagedPartChangedError(
          file.path,
          `Refusing to commit: ${store.location}/${file.path} ${problem} since this run wrote it; the previous version stays (rerun the export to write it again)`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, own.length) }, worker));
}

/** Why `head` does not describe the object `file` lists, or undefined when it does. */
function headProblem(file: ManifestFile, head: ObjectHead | undefined): string | undefined {
  if (head === undefined) return 'was deleted';
  if (head.size !== file.bytes) return `was replaced (${head.size} bytes, written ${file.bytes})`;
  if (file.etag !== undefined && !sameEtag(head.etag, file.etag)) {
    return `was replaced (ETag ${head.etag || 'none'}, written ${file.etag})`;
  }
  return undefined;
}

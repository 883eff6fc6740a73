/**
 * The one module that reads a dataset's existing files back (issue 16): which files a table
 * partition holds, from the manifest, and their bytes, by dataset-relative path. Merge-on-write
 * and `compactDataset` read the lake only through here, never by globbing directories (a file on
 * disk that the manifest does not list is not part of the lake), so a storage layer other than
 * the local file system replaces these few functions. A working copy of an object-store lake
 * fetches a committed file on its first open (lake-file-fetch.ts).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { TableName } from '@omnidim-stream/transform';
import { confined, parentRel, STAGED_SUFFIX } from './dataset-layout.js';
import { SinkError } from './errors.js';
import { fetchMissingLakeFile, streamedStagedObject } from './lake-file-fetch.js';
import type { DatasetManifest, ManifestFile } from './manifest.js';
import type { ObjectStore } from './object-store.js';

/**
 * The committed files of `table` (of one partition dir, dataset-relative `table/partition`, when
 * given), as the manifest lists them. A manifest that lists a path twice is refused.
 *
 * @example
 * lakeFilesOf(manifest, 'calls', 'calls/month=2026-04-01').map((f) => f.path);
 */
export function lakeFilesOf(
  manifest: DatasetManifest,
  table: TableName,
  partitionRel?: string,
): ManifestFile[] {
  // A path listed twice would be read (and its calls carried over) twice.
  const paths = new Set(manifest.files.map((f) => f.path));
  if (paths.size !== manifest.files.length) {
    throw new SinkError('The manifest lists a file twice; nothing was committed (restore _manifest.json)');
  }
  return manifest.files.filter(
    (f) => f.table === table && (partitionRel === undefined || parentRel(f.path) === partitionRel),
  );
}

/** Random access to one file (what a Parquet reader needs: the footer, then row groups). */
export interface LakeFile {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
  close(): Promise<void>;
}

/**
 * Opens a dataset file (`rel` is dataset-relative: a committed file or a staged one) for random
 * reads. The path is confined first: a forged manifest path cannot read outside `root`.
 */
export async function openLakeFile(root: string, rel: string): Promise<LakeFile> {
  const path = await confined(root, rel, 'a dataset file');
  const remote = streamedStagedObject(root, rel);
  if (remote) return openRemoteFile(remote.store, remote.key);
  await fetchMissingLakeFile(root, rel, path);
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new SinkError(`Cannot read ${rel} (${error.code ?? 'error'})`, { cause: error });
  });
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      // Not zero-filled, and handed on whole when the read filled it: the commit's byte merge
      // reads every staged NDJSON/CSV byte through here (a calloc and a copy per slice were ~2% of
      // an NDJSON export's CPU, issue 21). A short read copies only what was read.
      const buffer = Buffer.allocUnsafeSlow(Math.max(0, end - start));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      return bytesRead === buffer.length ? buffer.buffer : buffer.buffer.slice(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

/** The bytes of a dataset file as a stream, gunzipped when its name ends in `.gz`. */
export async function readLakeStream(root: string, rel: string): Promise<Readable> {
  const path = await confined(root, rel, 'a dataset file');
  const remote = streamedStagedObject(root, rel);
  if (!remote) await fetchMissingLakeFile(root, rel, path);
  const raw: Readable = remote ? await remote.store.openRead(remote.key) : createReadStream(path);
  // A staged file's name ends in `.staged` after its extension: `….csv.gz.staged` is gzip too
  // (found in issue 21: the commit's merge of small gzip CSV files parsed the compressed bytes).
  const name = rel.endsWith(STAGED_SUFFIX) ? rel.slice(0, -STAGED_SUFFIX.length) : rel;
  if (!name.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/** A file in the bucket as a {@link LakeFile}: each slice one ranged GET (a Parquet footer, a row group). */
async function openRemoteFile(store: ObjectStore, key: string): Promise<LakeFile> {
  const size = (await store.head(key))?.size;
  if (size === undefined) throw new SinkError(`Cannot read ${key} from ${store.location} (it is not there)`);
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      if (end <= start) return new ArrayBuffer(0);
      const bytes = await store.readRange(key, start, end);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    close: async () => undefined,
  };
}

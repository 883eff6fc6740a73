/**
 * The storage a dataset lives in when it is not a local directory (issue 18): a flat key space
 * with the few operations an object store offers: get, put (optionally conditional), streamed
 * upload, list, delete. Keys are dataset-relative (`_manifest.json`, `calls/date=…/part-….parquet`)
 * and come from dataset-layout.ts: a store only prefixes them, so path changes never reach it.
 * Implementations: `s3-store.ts` (AWS S3 and S3-compatible servers) and `local-store.ts` (a
 * directory, for library users and tests). No rename: see object-lake-publish.ts for the commit.
 */
import type { Readable } from 'node:stream';
import { InvalidOptionError } from '@omnidim-stream/core';

/** An object read back: its bytes, its ETag (quotes included, as sent) and when it was written. */
export interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

/**
 * What a HEAD says of an object: its size and its ETag (quotes included, as sent; '' when the
 * server sent none, which never equals a recorded one). An ETag changes
 * whenever the object is written again with other bytes (and may change when rewritten with the
 * same ones): a crash-resumed run compares it with the one its upload got, without downloading.
 */
export interface ObjectHead {
  size: number;
  etag: string;
}

/**
 * True when two ETags name the same object version: compared without their quotes and a weak
 * `W/` mark, which some S3-compatible servers add or drop between a write's answer and a HEAD
 * (a mismatch only of quoting would make every resume start over). An empty ETag matches nothing.
 *
 * @example
 * sameEtag('"9b2cf535f27731c974343645a3985328"', '9b2cf535f27731c974343645a3985328'); // true
 */
export function sameEtag(a: string, b: string): boolean {
  const bare = (etag: string) => etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return bare(a) !== '' && bare(a) === bare(b);
}

/**
 * A condition on a put: `ifNoneMatch: '*'` creates only when the key is absent; `ifMatch`
 * replaces only the version with that ETag (S3 conditional writes).
 */
export type PutCondition = { ifNoneMatch: '*' } | { ifMatch: string };

/**
 * The answer to a put: written (with the new ETag), or refused because the condition did not
 * hold (`precondition`, HTTP 412) or another conditional write on the key was in flight
 * (`conflict`, HTTP 409 ConditionalRequestConflict: S3 asks the caller to retry), or because the
 * server does not implement the condition (`unsupported`, HTTP 501 or 400).
 */
export type PutResult =
  | { ok: true; etag: string }
  | { ok: false; reason: 'precondition' | 'conflict' | 'unsupported' };

/** The object store under a dataset. Every method rejects with a `SinkError` (code `SINK`). */
export interface ObjectStore {
  /** Where the dataset is, for messages: `s3://bucket/prefix` (never a credential). */
  readonly location: string;
  /** The object at `key`, or undefined when there is none. */
  get(key: string): Promise<StoredObject | undefined>;
  /** The size and ETag of the object at `key` (one HEAD), or undefined when there is none. */
  head(key: string): Promise<ObjectHead | undefined>;
  /** Writes `body` at `key` in one request, under `condition` when given. */
  put(key: string, body: string | Buffer, condition?: PutCondition): Promise<PutResult>;
  /**
   * Streams the local file `file` to `key` (multipart above one part: bounded memory whatever the
   * size; a failed upload is aborted, leaving no parts behind).
   */
  upload(key: string, file: string): Promise<void>;
  /** Bytes `[start, end)` of the object at `key` (one ranged GET). */
  readRange(key: string, start: number, end: number): Promise<Buffer>;
  /** The object at `key` as a stream (read as it arrives: bounded memory whatever its size). */
  openRead(key: string): Promise<Readable>;
  /** Writes the object at `key` to the local file `file`. */
  download(key: string, file: string): Promise<void>;
  /** Every key under the dataset that starts with `prefix` (dataset-relative). */
  list(prefix?: string): Promise<string[]>;
  /** Deletes `keys` (absent keys are not an error). */
  delete(keys: readonly string[]): Promise<void>;
  /** Multipart uploads started and neither completed nor aborted under the dataset. */
  listUnfinishedUploads(): Promise<{ key: string; uploadId: string }[]>;
  /** Aborts the multipart upload `uploadId` of `key` (its parts are dropped). */
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** Releases the client's connections. */
  close(): void;
}

/** The methods every {@link ObjectStore} has (`head()` replaced `size()` in 0.1: it also gives the ETag). */
const OBJECT_STORE_METHODS = ['get', 'head', 'put', 'upload', 'download', 'list', 'delete', 'close'] as const;

/**
 * Throws `InvalidOptionError` (option `storage`) unless `store` has every {@link ObjectStore}
 * method: a custom store written against an earlier version (with `size()`, without `head()`)
 * fails before the run starts, naming what is missing, not in the middle of a resume.
 *
 * @example
 * checkObjectStore(new DirectoryObjectStore('lake')); // ok
 * checkObjectStore({ get() {} }); // throws: Invalid option "storage": expected an ObjectStore …
 */
export function checkObjectStore(store: unknown): asserts store is ObjectStore {
  const missing =
    typeof store === 'object' && store !== null
      ? OBJECT_STORE_METHODS.filter((name) => typeof (store as Record<string, unknown>)[name] !== 'function')
      : [...OBJECT_STORE_METHODS];
  if (missing.length === 0) return;
  throw new InvalidOptionError(
    'storage',
    `an ObjectStore with ${OBJECT_STORE_METHODS.join(', ')} (missing: ${missing.join(', ')}; head() replaced size() in 0.1 and returns { size, etag })`,
    typeof store === 'object' && store !== null ? 'an object' : store,
  );
}

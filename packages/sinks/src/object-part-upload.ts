/**
 * A part file streamed to object storage while it is written (issue 18, "part files streamed"):
 * the byte stream a `TableWriter` writes to when its dataset lives in an `s3://` bucket. The
 * bytes go into a multipart upload (lib-storage `Upload`: `partSize` bytes per part, at most
 * `UPLOAD_QUEUE` parts in flight, so memory stays ≤ `partSize × (UPLOAD_QUEUE + 1)` per open file
 * whatever the file's size) straight to the file's final key: part names carry the run id, so no
 * object is ever overwritten, and the manifest PUT stays the commit point. The stream finishes
 * only when the object is complete in the bucket; a destroyed (or failed) stream aborts its
 * upload, so no parts stay behind.
 *
 * Built from plain serializable options ({@link ObjectPartTarget}): a worker thread builds the
 * same destination from the same object. Clients are cached per connection (never per file).
 */
import { PassThrough, Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { SinkError } from './errors.js';
import { createS3Client, type S3Connection, s3Failure } from './s3-client.js';

/** Where a streamed part file goes: the bucket and connection, and the dataset-relative key. */
export interface ObjectPartTarget extends S3Connection {
  /** The dataset's key prefix in the bucket ('' for the bucket root). */
  prefix: string;
  /** Dataset-relative key of the part file (`calls/date=…/part-….parquet`). */
  key: string;
  /** Bytes per multipart part (S3's minimum, 5 MiB, is enforced by lib-storage). */
  partSize: number;
}

/** Parts of one upload in flight at once. */
const UPLOAD_QUEUE = 2;

type UploadClass = typeof import('@aws-sdk/lib-storage')['Upload'];
const clients = new Map<string, Promise<{ client: S3Client; Upload: UploadClass }>>();

/** The S3 client of `connection`, created once (the SDK is loaded here, on first use). */
function clientFor(connection: S3Connection): Promise<{ client: S3Client; Upload: UploadClass }> {
  const id = JSON.stringify([
    connection.bucket,
    connection.endpoint,
    connection.forcePathStyle,
    connection.region,
    connection.maxAttempts,
  ]);
  let entry = clients.get(id);
  if (entry === undefined) {
    entry = (async () => {
      const { Upload } = await import('@aws-sdk/lib-storage');
      return { client: await createS3Client(connection), Upload };
    })();
    // A failed load is not cached: the next file tries again.
    entry.catch(() => clients.delete(id));
    clients.set(id, entry);
  }
  return entry;
}

/**
 * Releases the cached clients' connections (call when the run that streamed its parts ends).
 *
 * @example
 * try { await run(); } finally { closePartUploadClients(); }
 */
export function closePartUploadClients(): void {
  for (const entry of clients.values())
    void entry.then(
      ({ client }) => client.destroy(),
      () => undefined,
    );
  clients.clear();
}

/**
 * The byte stream of a part file being uploaded. Once it has finished, `etag` is the object's ETag
 * as the completing request (PutObject or CompleteMultipartUpload) answered it: a checkpoint
 * records it, and a resumed run compares it with a HEAD (dataset-adoption.ts), so an object
 * replaced since by other bytes of the same size is not adopted. Undefined before the finish, or
 * when the server sent none.
 */
export interface PartUpload extends Writable {
  readonly etag: string | undefined;
}

/**
 * `{ etag }` of a finished part-file upload, to spread into the file's record (`{}` for a local
 * file, or when the server answered none: a resume then re-exports rather than trust the object).
 *
 * @example
 * const file = { ...written, ...uploadedEtag(upload) };
 */
export function uploadedEtag(upload: PartUpload | undefined): { etag?: string } {
  return upload?.etag ? { etag: upload.etag } : {};
}

/**
 * Opens the byte stream of a part file uploaded to `target` while it is written.
 *
 * @example
 * const out = openPartUpload({ bucket: 'lake', prefix: 'calls', key: 'calls/date=2026-04-01/part-x-00000.parquet', partSize: 8 << 20, region: 'us-east-1' });
 * out.end(bytes);
 * await finished(out);
 * console.log(out.etag);
 */
export function openPartUpload(target: ObjectPartTarget): PartUpload {
  return new PartUploadStream(target);
}

/**
 * The Writable side of an upload: chunks go through a PassThrough (the Upload's body, read as
 * the Upload's queue frees up: backpressure reaches the writer through `write()` returning
 * false), `_final` waits for the completed object, `_destroy` for the abort.
 */
class PartUploadStream extends Writable implements PartUpload {
  readonly #body = new PassThrough({ highWaterMark: 64 * 1024 });
  readonly #done: Promise<void>;
  readonly #where: string;
  #etag: string | undefined;

  constructor(target: ObjectPartTarget) {
    super({ highWaterMark: 64 * 1024 });
    const full = target.prefix === '' ? target.key : `${target.prefix}/${target.key}`;
    this.#where = `s3://${target.bucket}/${full}`;
    this.#done = clientFor(target).then(async ({ client, Upload }) => {
      const upload = new Upload({
        client,
        params: { Bucket: target.bucket, Key: full, Body: this.#body },
        partSize: target.partSize,
        queueSize: UPLOAD_QUEUE,
        // The default, stated: a failed multipart upload is aborted, no parts stay billed.
        leavePartsOnError: false,
      });
      const completed = await upload.done();
      this.#etag = completed.ETag;
    });
    // Until _final or _destroy awaits it: a failed upload fails the writer at once (not at close).
    this.#done.catch((error: unknown) => {
      if (!this.destroyed) this.destroy(s3Failure('upload', this.#where, error));
    });
  }

  get etag(): string | undefined {
    return this.#etag;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#body.write(chunk)) callback();
    else this.#body.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#body.end();
    this.#done.then(
      () => callback(),
      (error: unknown) => callback(s3Failure('upload', this.#where, error)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // The Upload sees its body fail and aborts the multipart upload (AbortMultipartUpload) before
    // `done()` settles: "destroyed" then means "no parts left in the bucket".
    if (!this.#body.destroyed) this.#body.destroy(error ?? new SinkError('The part file was abandoned'));
    this.#done.then(
      () => callback(error),
      () => callback(error),
    );
  }
}

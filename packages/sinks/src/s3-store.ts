/**
 * The S3 implementation of {@link ObjectStore} (issue 18): AWS S3 and S3-compatible servers
 * (MinIO, Cloudflare R2, GCS interoperability, Ceph). The SDK is loaded with `import()` here and
 * only here, when an `s3://` target is opened: a local export never loads it.
 *
 * Credentials, region and endpoint come from the SDK's default chain (environment variables,
 * `AWS_PROFILE`, web identity / EKS pod identity, container and instance roles,
 * `AWS_ENDPOINT_URL_S3`), never from a flag. Retries with backoff on 5xx, throttling (`SlowDown`)
 * and reset connections are the SDK's standard retry strategy. Error messages name the operation,
 * the key and the S3 error code only: SDK errors are never passed on as `cause`, because their
 * attached request/response may carry a signature.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HeadObjectCommandOutput, ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { SinkError } from './errors.js';
import type { ObjectHead, ObjectStore, PutCondition, PutResult, StoredObject } from './object-store.js';
import { createS3Client, type S3Connection, s3Failure, s3Region, statusOf } from './s3-client.js';
import { parseS3Url } from './s3-url.js';

/** How the S3 client is set up, beyond what the AWS chain provides. */
export interface S3StoreOptions {
  /** An S3-compatible endpoint (`--s3-endpoint`), e.g. `http://127.0.0.1:9000`. Default: the AWS chain. */
  endpoint?: string | undefined;
  /** Path-style requests (`http://host/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle?: boolean | undefined;
  /** Attempts per request, first included (the SDK's standard retry strategy). Default 5. */
  maxAttempts?: number | undefined;
  /** Multipart part size in bytes (S3's minimum is 5 MiB). Default 8 MiB. */
  partSize?: number | undefined;
  /** Environment to read the region from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * The serializable connection of a dataset in `bucket` opened with `options` (the same one the
 * store uses): what a streamed part file (object-part-upload.ts) needs to reach the bucket.
 *
 * @example
 * s3ConnectionOf('lake', { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
 */
export function s3ConnectionOf(bucket: string, options: S3StoreOptions = {}): S3Connection {
  return {
    bucket,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle === true,
    region: s3Region(options.env ?? process.env, options.endpoint),
    maxAttempts: options.maxAttempts ?? 5,
  };
}

/** Parts of one upload in memory at once: memory ≤ `partSize × (UPLOAD_QUEUE + 1)` per file. */
const UPLOAD_QUEUE = 2;
/** Multipart part size unless `partSize` says otherwise. */
export const S3_DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** List pages (1,000 keys each) one listing may read: a bound, not a silent stop. */
const MAX_LIST_PAGES = 10_000;
const DELETE_CONCURRENCY = 8;

/**
 * Opens the dataset at `url` (`s3://bucket/prefix`) on S3.
 *
 * @example
 * const store = await openS3Store('s3://lake/calls', { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
 * console.log(await store.list());
 */
export async function openS3Store(url: string, options: S3StoreOptions = {}): Promise<ObjectStore> {
  const target = parseS3Url(url);
  const sdk = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const client = await createS3Client(s3ConnectionOf(target.bucket, options));
  return new S3ObjectStore({
    sdk,
    Upload,
    client,
    bucket: target.bucket,
    prefix: target.prefix,
    url: target.url,
    partSize: options.partSize ?? S3_DEFAULT_PART_SIZE,
  });
}

type Sdk = typeof import('@aws-sdk/client-s3');
type UploadClass = typeof import('@aws-sdk/lib-storage')['Upload'];

/** The S3 client and where the dataset is in the bucket. */
interface S3StoreParts {
  sdk: Sdk;
  Upload: UploadClass;
  client: S3Client;
  bucket: string;
  prefix: string;
  url: string;
  partSize: number;
}

/** {@link ObjectStore} on S3: every key is prefixed with the dataset's prefix. */
class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly #p: S3StoreParts;

  constructor(parts: S3StoreParts) {
    this.#p = parts;
    this.location = parts.url;
  }

  #full(key: string): string {
    return this.#p.prefix === '' ? key : `${this.#p.prefix}/${key}`;
  }
  #relative(key: string): string {
    return this.#p.prefix === '' ? key : key.slice(this.#p.prefix.length + 1);
  }
  #fail(what: string, key: string, error: unknown): SinkError {
    return s3Failure(what, `${this.location}/${key}`, error);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const { sdk, client, bucket } = this.#p;
    try {
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: this.#full(key) }));
      const body = Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
      return { body, etag: answer.ETag ?? '', lastModified: answer.LastModified ?? new Date(0) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.#fail('read', key, error);
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    const { sdk, client, bucket } = this.#p;
    let answer: HeadObjectCommandOutput;
    try {
      answer = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: this.#full(key) }));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.#fail('read the size of', key, error);
    }
    if (answer.ContentLength === undefined) {
      throw new SinkError(`Cannot read the size of ${this.location}/${key} (no Content-Length)`);
    }
    return { size: answer.ContentLength, etag: answer.ETag ?? '' };
  }

  async put(key: string, body: string | Buffer, condition?: PutCondition): Promise<PutResult> {
    const { sdk, client, bucket } = this.#p;
    try {
      const answer = await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: this.#full(key),
          Body: body,
          ...(condition && 'ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : {}),
          ...(condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
        }),
      );
      return { ok: true, etag: answer.ETag ?? '' };
    } catch (error) {
      const status = statusOf(error);
      if (condition && status === 412) return { ok: false, reason: 'precondition' };
      if (condition && status === 409) return { ok: false, reason: 'conflict' };
      if (condition && (status === 501 || status === 400)) return { ok: false, reason: 'unsupported' };
      throw this.#fail('write', key, error);
    }
  }

  async upload(key: string, file: string): Promise<void> {
    const { Upload, client, bucket, partSize } = this.#p;
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: this.#full(key), Body: createReadStream(file) },
      partSize,
      queueSize: UPLOAD_QUEUE,
      // The default, stated: a failed multipart upload is aborted, no parts stay billed.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw this.#fail('upload', key, error);
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Buffer> {
    const { sdk, client, bucket } = this.#p;
    try {
      const answer = await client.send(
        new sdk.GetObjectCommand({
          Bucket: bucket,
          Key: this.#full(key),
          Range: `bytes=${start}-${end - 1}`,
        }),
      );
      return Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      throw this.#fail('read', key, error);
    }
  }

  async openRead(key: string): Promise<Readable> {
    const { sdk, client, bucket } = this.#p;
    try {
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: this.#full(key) }));
      if (!(answer.Body instanceof Readable)) throw new Error('no body stream');
      return answer.Body;
    } catch (error) {
      throw this.#fail('read', key, error);
    }
  }

  async download(key: string, file: string): Promise<void> {
    const { sdk, client, bucket } = this.#p;
    try {
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: this.#full(key) }));
      const body = answer.Body as NodeJS.ReadableStream | undefined;
      if (!body) throw new Error('empty body');
      await pipeline(body, createWriteStream(file, { mode: 0o600 }));
    } catch (error) {
      throw this.#fail('download', key, error);
    }
  }

  async list(prefix = ''): Promise<string[]> {
    const { sdk, client, bucket } = this.#p;
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let answer: ListObjectsV2CommandOutput;
      try {
        answer = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: this.#full(prefix),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (error) {
        throw this.#fail('list', prefix, error);
      }
      for (const item of answer.Contents ?? []) if (item.Key) keys.push(this.#relative(item.Key));
      token = answer.IsTruncated ? answer.NextContinuationToken : undefined;
      if (!token) return keys;
    }
    throw new SinkError(`Listing ${this.location}/${prefix} took more than ${MAX_LIST_PAGES} pages`);
  }

  async delete(keys: readonly string[]): Promise<void> {
    const { sdk, client, bucket } = this.#p;
    // One DeleteObject per key (bounded concurrency): every S3-compatible server has it, and an
    // absent key is a success, so a replayed cleanup is harmless.
    for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
      await Promise.all(
        keys.slice(i, i + DELETE_CONCURRENCY).map(async (key) => {
          try {
            await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: this.#full(key) }));
          } catch (error) {
            if (statusOf(error) !== 404) throw this.#fail('delete', key, error);
          }
        }),
      );
    }
  }

  async listUnfinishedUploads(): Promise<{ key: string; uploadId: string }[]> {
    const { sdk, client, bucket, prefix } = this.#p;
    try {
      // One page (up to 1,000 uploads): what a few killed runs leave; the rest go next time.
      const answer = await client.send(
        new sdk.ListMultipartUploadsCommand({ Bucket: bucket, ...(prefix ? { Prefix: `${prefix}/` } : {}) }),
      );
      return (answer.Uploads ?? [])
        .filter((u) => u.Key !== undefined && u.UploadId !== undefined)
        .map((u) => ({ key: this.#relative(u.Key!), uploadId: u.UploadId! }));
    } catch (error) {
      throw this.#fail('list the multipart uploads of', '', error);
    }
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    const { sdk, client, bucket } = this.#p;
    try {
      await client.send(
        new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: this.#full(key), UploadId: uploadId }),
      );
    } catch (error) {
      if (statusOf(error) !== 404) throw this.#fail('abort the upload of', key, error);
    }
  }

  close(): void {
    this.#p.client.destroy();
  }
}

/**
 * The S3 client of an `s3://` dataset (issue 18), built from plain serializable options so that
 * the store (s3-store.ts) and the part files streamed while written (object-part-upload.ts, also
 * inside a worker thread) connect the same way; and the one wording of a failed S3 request.
 * The SDK is loaded with `import()` here, when an `s3://` target is opened: a local export never
 * loads it. Credentials come from the SDK's default chain only, never from these options.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SinkError } from './errors.js';

/** How to reach a bucket: serializable (no credential, no client), so a worker can rebuild it. */
export interface S3Connection {
  bucket: string;
  /** An S3-compatible endpoint (`--s3-endpoint`). Default: the AWS chain. */
  endpoint?: string | undefined;
  /** Path-style requests (`http://host/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle?: boolean | undefined;
  /** The region to sign with; see {@link s3Region}. */
  region?: string | undefined;
  /** Attempts per request, first included (the SDK's standard retry strategy). Default 5. */
  maxAttempts?: number | undefined;
}

/**
 * The region from `env` (`AWS_REGION`, `AWS_DEFAULT_REGION`); an S3-compatible server is
 * regionless but the SDK still needs a name to sign with, so `us-east-1` when an endpoint is set.
 *
 * @example
 * s3Region(process.env, 'http://127.0.0.1:9000'); // 'us-east-1' unless AWS_REGION says otherwise
 */
export function s3Region(
  env: Readonly<Record<string, string | undefined>>,
  endpoint: string | undefined,
): string | undefined {
  return env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? (endpoint ? 'us-east-1' : undefined);
}

/**
 * Creates the S3 client of `connection` (loads the SDK).
 *
 * @example
 * const client = await createS3Client({ bucket: 'lake', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, region: 'us-east-1' });
 */
export async function createS3Client(connection: S3Connection): Promise<S3Client> {
  const sdk = await import('@aws-sdk/client-s3');
  return new sdk.S3Client({
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    forcePathStyle: connection.forcePathStyle === true,
    maxAttempts: connection.maxAttempts ?? 5,
    // Checksums only where S3 requires them: several S3-compatible servers reject the newer
    // default (CRC32 trailers on every upload).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The HTTP status of an SDK error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

/**
 * A `SinkError` for a failed S3 request: the operation, the object and the S3 error name and
 * status only: no SDK message or cause, whose attached request/response may carry a signature.
 */
export function s3Failure(what: string, where: string, error: unknown): SinkError {
  if (error instanceof SinkError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const status = statusOf(error);
  const network = (error as { code?: unknown } | null)?.code;
  const detail = [
    /^[A-Za-z0-9]{1,64}$/.test(name) ? name : 'Error',
    status === undefined ? undefined : `HTTP ${status}`,
    typeof network === 'string' && /^E[A-Z]{2,20}$/.test(network) ? network : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return new SinkError(`Cannot ${what} ${where} (${detail}) after the SDK's retries`);
}

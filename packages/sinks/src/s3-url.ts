/**
 * `s3://bucket/prefix` targets (issue 18): recognised wherever `--out`/`outDir` is accepted, and
 * checked once, before any request: a bucket name S3 accepts and a prefix of plain segments (the
 * same rule as every dataset path, so no `..` or empty segment can move the dataset elsewhere).
 */
import { InvalidOptionError } from '@omnidim-stream/core';
import { isSafeRelative } from './dataset-layout.js';

/** A parsed `s3://` target. */
export interface S3Target {
  bucket: string;
  /** The dataset's key prefix without slashes at either end; '' for the bucket root. */
  prefix: string;
  /** The target as written back: `s3://bucket/prefix`. */
  url: string;
}

/** True when `out` names an object-store target rather than a local directory. */
export function isS3Url(out: unknown): out is string {
  return typeof out === 'string' && /^s3:\/\//i.test(out);
}

// S3 bucket naming rules (3–63 characters, lower case, digits, dots, hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `s3://bucket/prefix`; a bad one throws `InvalidOptionError` naming `option`.
 *
 * @example
 * parseS3Url('s3://lake/exports/calls/'); // { bucket: 'lake', prefix: 'exports/calls', url: 's3://lake/exports/calls' }
 */
export function parseS3Url(out: string, option = 'outDir'): S3Target {
  const match = /^s3:\/\/([^/?#]*)\/?([^?#]*)$/i.exec(out);
  const bucket = match?.[1] ?? '';
  if (!match || !BUCKET.test(bucket)) {
    // Echo no more than the bucket part: a URL with user info or a query could carry a secret.
    throw new InvalidOptionError(
      option,
      's3://bucket/prefix with a valid bucket name',
      `s3://${bucket.slice(0, 63)}/…`,
    );
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '' && !isSafeRelative(prefix)) {
    throw new InvalidOptionError(
      option,
      'a prefix of plain segments (letters, digits, _ = . -; no empty, "." or ".." segment)',
      String(prefix).slice(0, 80),
    );
  }
  return { bucket, prefix, url: prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}` };
}

/** True for a plain dataset-relative key (the rule every dataset path follows). */
export { isSafeRelative as isSafeDatasetKey } from './dataset-layout.js';

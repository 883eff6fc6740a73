/**
 * `--out s3://bucket/prefix` and its flags (issue 18): `--s3-endpoint`, `--s3-force-path-style`,
 * `--single-writer`. Checked here once, before any request; credentials never come from a flag
 * (the AWS chain: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, web identity, roles).
 */
import { isAbsolute, resolve } from 'node:path';
import { InvalidOptionError } from '@omnidim-stream/core';
import { isS3Url, parseS3Url } from '@omnidim-stream/sinks';
import { UsageError } from './exit-codes.js';
import { type Argv, optionalString } from './flag-values.js';

/** Where the dataset goes: a local directory, or an object store and how to reach it. */
export interface OutputTarget {
  /** An absolute directory, or `s3://bucket/prefix` as parsed. */
  outDir: string;
  /** Set for an `s3://` target. */
  s3: { endpoint?: string; forcePathStyle: boolean } | undefined;
  singleWriter: boolean;
}

const S3_ONLY_FLAGS = ['s3-endpoint', 's3-force-path-style', 'single-writer'] as const;

/**
 * `--out` and the object-storage flags, validated.
 *
 * @example
 * outputTarget({ out: 's3://lake/calls', 'single-writer': true }, '/tmp'); // { outDir: 's3://lake/calls', … }
 */
export function outputTarget(argv: Argv, out: string, cwd: string): OutputTarget {
  if (!isS3Url(out)) {
    for (const flag of S3_ONLY_FLAGS) {
      if (argv[flag] !== undefined && argv[flag] !== false) {
        throw new UsageError(`--${flag}: only with --out s3://bucket/prefix`);
      }
    }
    return { outDir: isAbsolute(out) ? out : resolve(cwd, out), s3: undefined, singleWriter: false };
  }
  let target: { url: string };
  try {
    target = parseS3Url(out, '--out');
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    throw new UsageError(`--out: expected ${error.expected}, received ${error.received}`);
  }
  const endpoint = optionalString(argv, 's3-endpoint');
  if (endpoint !== undefined) checkEndpoint(endpoint);
  return {
    outDir: target.url,
    s3: {
      ...(endpoint === undefined ? {} : { endpoint }),
      forcePathStyle: argv['s3-force-path-style'] === true,
    },
    singleWriter: argv['single-writer'] === true,
  };
}

/** An http(s) URL without user info (keys come from the AWS chain, never from a URL). */
function checkEndpoint(endpoint: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError('--s3-endpoint: expected an http:// or https:// URL, like http://127.0.0.1:9000');
  }
  if (url.username !== '' || url.password !== '') {
    // Not echoed: the value holds a credential.
    throw new UsageError(
      '--s3-endpoint: credentials in the URL are refused (use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE)',
    );
  }
}

/** The engine options of a target: `s3` and `singleWriter` for an `s3://` one, nothing otherwise. */
export function objectStoreOptions(target: OutputTarget): {
  s3?: OutputTarget['s3'];
  singleWriter?: boolean;
} {
  return target.s3 === undefined ? {} : { s3: target.s3, singleWriter: target.singleWriter };
}

/**
 * Multipart streaming uploads to S3 (issue 18), against s3rver on 127.0.0.1: a file larger than
 * one part goes up in parts and reads back byte for byte; an upload that fails part-way is
 * aborted (the wire shows no multipart upload left open); 503 SlowDown and reset connections are
 * retried by the SDK's strategy; a part file streamed while written knows the ETag its upload's
 * completion answered, the one a HEAD then serves (what a resume checks it by).
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type S3TestServer, startS3Server } from '../../../test/e2e/harness/s3-server.js';
import {
  closePartUploadClients,
  type ObjectStore,
  openPartUpload,
  openS3Store,
  SinkError,
  s3ConnectionOf,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const PART = 5 * 1024 * 1024;
let server: S3TestServer;
let store: ObjectStore;
let dir: { path: string; remove: () => Promise<void> };
let file: string;

beforeAll(async () => {
  server = await startS3Server();
  Object.assign(process.env, server.env);
  store = await openS3Store('s3://lake/multipart', {
    endpoint: server.endpoint,
    forcePathStyle: true,
    partSize: PART,
  });
  dir = await tempDir('s3-multipart');
  file = join(dir.path, 'big.bin');
  await writeFile(file, randomBytes(2 * PART + 1234));
});
afterAll(async () => {
  store.close();
  closePartUploadClients();
  await server.close();
  await dir.remove();
});
afterEach(() => {
  server.fault = undefined;
});

describe('multipart uploads', () => {
  it('a file of three parts goes up in parts and reads back byte for byte', async () => {
    const before = server.requests.length;
    await store.upload('big.bin', file);
    const parts = server.requests.slice(before).filter((r) => r === 'PUT multipart/big.bin');
    expect(parts.length).toBe(3);
    const stored = await server.objects('multipart');
    expect((await readFile(stored.get('big.bin') ?? '')).equals(await readFile(file))).toBe(true);
  });

  it('an upload whose second part keeps failing is aborted: no multipart upload stays open', async () => {
    server.fault = (r) => (r.method === 'PUT' && r.query.get('partNumber') === '2' ? 'reset' : undefined);
    const before = server.requests.length;
    const error = await store.upload('failed.bin', file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    // It was a multipart upload (started on the wire), and it was aborted.
    expect(server.requests.slice(before)).toContain('POST multipart/failed.bin');
    expect(server.requests.slice(before)).toContain('DELETE multipart/failed.bin');
    expect(server.unfinishedUploads()).toEqual([]);
    expect((await server.objects('multipart')).has('failed.bin')).toBe(false);
  });

  it('503 SlowDown and a reset connection on a part are retried: the upload completes', async () => {
    let faults = 0;
    server.fault = (r) => {
      if (r.method !== 'PUT' || faults >= 2) return undefined;
      faults++;
      return faults === 1 ? 'slowdown' : 'reset';
    };
    await store.upload('retried.bin', file);
    expect(faults).toBe(2);
    const stored = await server.objects('multipart');
    expect((await readFile(stored.get('retried.bin') ?? '')).equals(await readFile(file))).toBe(true);
    expect(server.unfinishedUploads()).toEqual([]);
  });
});

describe('the ETag of a part file streamed while written', () => {
  it.each([
    { what: 'three parts (CompleteMultipartUpload)', size: 2 * PART + 1234, parts: 3 },
    { what: 'one PutObject', size: 1234, parts: 0 },
  ])('$what: the stream knows the ETag a HEAD serves', async ({ size, parts }) => {
    const key = `streamed-${size}.bin`;
    const before = server.requests.length;
    const out = openPartUpload({
      ...s3ConnectionOf('lake', { endpoint: server.endpoint, forcePathStyle: true }),
      prefix: 'multipart',
      key,
      partSize: PART,
    });
    out.end(randomBytes(size));
    await finished(out);
    const uploadParts = server.requests.slice(before).filter((r) => r === `PUT multipart/${key}`);
    expect(uploadParts.length).toBe(parts || 1);
    // s3rver's own answer, not through the store: the ETag a resume's HEAD will compare. (S3's
    // multipart ETags end in `-<parts>`; s3rver's do not, so only equality is checked.)
    const head = await fetch(`${server.plainEndpoint}/lake/multipart/${key}`, { method: 'HEAD' });
    expect(out.etag).toBeTruthy();
    expect(out.etag).toBe(head.headers.get('etag'));
    expect(await store.head(key)).toEqual({ size, etag: out.etag });
  });
});

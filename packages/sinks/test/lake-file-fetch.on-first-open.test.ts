/**
 * A working copy's lake files come from its object store on first open (issue 18 on issue 16),
 * against s3rver on 127.0.0.1: fetched once, byte for byte, then read from disk; a path that is
 * not a plain dataset path is refused before any request; the run's own staged files are never
 * fetched; a failed download is the store's error and the next open fetches again; nothing is
 * fetched once detached.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type S3TestServer, startS3Server } from '../../../test/e2e/harness/s3-server.js';
import { attachLakeStore, type ObjectStore, openS3Store } from '../src/index.js';
import { openLakeFile, readLakeStream } from '../src/lake-files.js';
import { tempDir } from './helpers.js';

const KEY = 'calls/month=2026-04-01/part-r1-00000.ndjson';
const BODY = '{"id":1}\n{"id":2}\n';
let server: S3TestServer;
let store: ObjectStore;
let bucketDir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  server = await startS3Server();
  Object.assign(process.env, server.env);
  store = await openS3Store('s3://lake/fetch', { endpoint: server.endpoint, forcePathStyle: true });
  bucketDir = await tempDir('fetch-src');
  await writeFile(join(bucketDir.path, 'part.ndjson'), BODY);
  await store.upload(KEY, join(bucketDir.path, 'part.ndjson'));
});
afterAll(async () => {
  store.close();
  await server.close();
  await bucketDir.remove();
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  server.fault = undefined;
  for (const c of cleanups.splice(0)) await c();
});

async function workingCopy(): Promise<string> {
  const dir = await tempDir('fetch-wc');
  const detach = attachLakeStore(dir.path, store);
  cleanups.push(async () => {
    detach();
    await dir.remove();
  });
  return dir.path;
}

const gets = (from: number) => server.requests.slice(from).filter((r) => r.startsWith('GET fetch/'));

describe('lake files of a working copy', () => {
  it('are fetched from the store on first open, once, byte for byte', async () => {
    const root = await workingCopy();
    const before = server.requests.length;
    expect(await text(await readLakeStream(root, KEY))).toBe(BODY);
    const file = await openLakeFile(root, KEY);
    expect(file.byteLength).toBe(BODY.length);
    expect(Buffer.from(await file.slice(0, 8)).toString()).toBe('{"id":1}');
    await file.close();
    expect(gets(before)).toEqual([`GET fetch/${KEY}`]);
  });

  it('refuses a path outside the dataset before any request, and never fetches staged files', async () => {
    const root = await workingCopy();
    const before = server.requests.length;
    await expect(openLakeFile(root, `../${KEY}`)).rejects.toMatchObject({ code: 'SINK' });
    await expect(readLakeStream(root, '/etc/passwd')).rejects.toMatchObject({ code: 'SINK' });
    await expect(openLakeFile(root, '_staging/r1/calls/x.ndjson')).rejects.toMatchObject({ code: 'SINK' });
    expect(gets(before)).toEqual([]);
  });

  it('a failed download is a storage error and leaves nothing in the way of the next open; detached, nothing is fetched', async () => {
    const root = await workingCopy();
    server.fault = (r) => (r.method === 'GET' && r.key.endsWith('.ndjson') ? 'reset' : undefined);
    const failed = await openLakeFile(root, KEY).then(
      () => undefined,
      (error: Error & { code?: string }) => error,
    );
    server.fault = undefined;
    expect(failed?.code).toBe('SINK');
    // The store's own error (naming the object), not a missing local file.
    expect(failed?.message).toContain(`s3://lake/fetch/${KEY}`);
    expect(await text(await readLakeStream(root, KEY))).toBe(BODY);
    for (const c of cleanups.splice(0)) await c();
    const before = server.requests.length;
    await expect(openLakeFile(root, KEY)).rejects.toMatchObject({ code: 'SINK' });
    expect(gets(before)).toEqual([]);
  });
});

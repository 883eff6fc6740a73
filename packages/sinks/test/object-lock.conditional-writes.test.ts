/**
 * The object-store lock (issue 18) against real S3 answers: s3rver behind the harness proxy that
 * answers conditional writes as AWS S3 does (412 PreconditionFailed, 409
 * ConditionalRequestConflict), and s3rver alone, which ignores them.
 */
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3TestServer, startS3Server } from '../../../test/e2e/harness/s3-server.js';
import {
  acquireObjectLock,
  DatasetLockedError,
  type ObjectStore,
  openS3Store,
  probeConditionalWrites,
} from '../src/index.js';

let server: S3TestServer;
let store: ObjectStore;
let plain: ObjectStore;

beforeAll(async () => {
  server = await startS3Server();
  Object.assign(process.env, server.env);
  store = await openS3Store('s3://lake/locks', { endpoint: server.endpoint, forcePathStyle: true });
  plain = await openS3Store('s3://lake/plain', { endpoint: server.plainEndpoint, forcePathStyle: true });
});
afterAll(async () => {
  store.close();
  plain.close();
  await server.close();
});

describe('conditional writes', () => {
  it('the probe finds them honoured through the proxy and ignored by s3rver alone', async () => {
    expect(await probeConditionalWrites(store, 'probe-1')).toBe('honoured');
    expect(await probeConditionalWrites(plain, 'probe-2')).toBe('ignored');
    // The probe object is gone afterwards.
    expect((await store.list()).filter((k) => k.startsWith('_probe'))).toEqual([]);
  });

  it('If-None-Match: * creates once, then answers 412; If-Match with a stale ETag answers 412', async () => {
    const first = await store.put('obj', 'a', { ifNoneMatch: '*' });
    expect(first.ok).toBe(true);
    expect(await store.put('obj', 'b', { ifNoneMatch: '*' })).toEqual({ ok: false, reason: 'precondition' });
    const etag = first.ok ? first.etag : '';
    const second = await store.put('obj', 'c', { ifMatch: etag });
    expect(second.ok).toBe(true);
    expect(await store.put('obj', 'd', { ifMatch: etag })).toEqual({ ok: false, reason: 'precondition' });
    expect((await store.get('obj'))?.body.toString()).toBe('c');
  });
});

describe('the lock', () => {
  it('a second run on a live lock is refused with LOCKED, naming the holder', async () => {
    const lock = await acquireObjectLock(store, { runId: 'run-a', conditional: true, singleWriter: false });
    const error = await acquireObjectLock(store, {
      runId: 'run-b',
      conditional: true,
      singleWriter: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetLockedError);
    expect((error as DatasetLockedError).code).toBe('LOCKED');
    expect((error as DatasetLockedError).holder.runId).toBe('run-a');
    await lock.release();
    expect(await store.get('_lock')).toBeUndefined();
  });

  it('two runs starting at once: exactly one gets the lock (409 or 412 for the other)', async () => {
    const results = await Promise.allSettled(
      ['run-c', 'run-d', 'run-e'].map((runId) =>
        acquireObjectLock(store, { runId, conditional: true, singleWriter: false }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as DatasetLockedError).code).toBe('LOCKED');
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('a 409 ConditionalRequestConflict is a locked start, not a taken lock', async () => {
    server.fault = (r) => (r.method === 'PUT' && r.key.endsWith('_lock') ? 'conflict' : undefined);
    try {
      const error = await acquireObjectLock(store, {
        runId: 'run-f',
        conditional: true,
        singleWriter: false,
      }).catch((e: unknown) => e);
      expect((error as DatasetLockedError).code).toBe('LOCKED');
    } finally {
      server.fault = undefined;
    }
    expect(await store.get('_lock')).toBeUndefined();
  });

  it('a lock left by a dead process on this host is taken over at once; so is any lock with singleWriter', async () => {
    // A pid above Linux's pid_max (2^22): no such process exists on this host.
    const body = JSON.stringify({ runId: 'killed', pid: 2 ** 22 + 12345, host: hostname() });
    expect((await store.put('_lock', body)).ok).toBe(true);
    const lock = await acquireObjectLock(store, { runId: 'next', conditional: true, singleWriter: false });
    expect(JSON.parse((await store.get('_lock'))?.body.toString() ?? '{}').runId).toBe('next');
    // A live lock of another host: only singleWriter takes it over.
    const other = await acquireObjectLock(store, { runId: 'sw', conditional: true, singleWriter: true });
    expect(JSON.parse((await store.get('_lock'))?.body.toString() ?? '{}').runId).toBe('sw');
    // The run whose lock was taken over notices at its next renewal (before its commit point).
    const lost = await lock.confirm().catch((e: unknown) => e);
    expect((lost as DatasetLockedError).code).toBe('LOCKED');
    await lock.release();
    expect(JSON.parse((await store.get('_lock'))?.body.toString() ?? '{}').runId).toBe('sw');
    await other.release();
  });
});

describe('listing', () => {
  it('a listing longer than one page (1,000 keys) is read to the end', async () => {
    const keys = Array.from({ length: 1203 }, (_, i) => `many/k-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, 'x')));
    }
    const before = server.requests.length;
    expect((await store.list('many/')).sort()).toEqual(keys);
    // Two list requests: the answer was paged.
    expect(server.requests.slice(before).filter((r) => r === 'GET ').length).toBe(2);
  });
});

/**
 * The ObjectStore contract on the directory store (issue 18, local-store.ts): what
 * object-lake-publish.ts and object-lock.ts rely on, checked against the files on disk.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireObjectLock,
  DatasetLockedError,
  DirectoryObjectStore,
  probeConditionalWrites,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fresh(): Promise<{ root: string; store: DirectoryObjectStore }> {
  const dir = await tempDir('local-store');
  cleanups.push(dir.remove);
  const root = join(dir.path, 'lake');
  return { root, store: new DirectoryObjectStore(root, { retryDelayMs: 1 }) };
}

/** Every file under `dir`, relative, links and temp files included (what is really on disk). */
async function onDisk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('DirectoryObjectStore: put, get, ETags', () => {
  it('writes the bytes at root/key; the ETag is the quoted md5 of the content, the same on put, get and head', async () => {
    const { root, store } = await fresh();
    const put = await store.put('calls/date=2026-01-01/part-1.ndjson', 'hello\n');
    const md5 = `"${createHash('md5').update('hello\n').digest('hex')}"`;
    expect(put).toEqual({ ok: true, etag: md5 });
    expect(await readFile(join(root, 'calls', 'date=2026-01-01', 'part-1.ndjson'), 'utf8')).toBe('hello\n');
    const got = await store.get('calls/date=2026-01-01/part-1.ndjson');
    expect(got?.body.toString()).toBe('hello\n');
    expect(got?.etag).toBe(md5);
    expect(await store.head('calls/date=2026-01-01/part-1.ndjson')).toEqual({ size: 6, etag: md5 });
    expect(await store.get('missing.json')).toBeUndefined();
    expect(await store.head('missing.json')).toBeUndefined();
    // No temp or lock file is left beside the object.
    expect(await onDisk(root)).toEqual(['calls/date=2026-01-01/part-1.ndjson']);
  });

  it('two concurrent ifNoneMatch creators (two store instances): exactly one wins, its bytes are the object', async () => {
    const { root, store } = await fresh();
    const other = new DirectoryObjectStore(root, { retryDelayMs: 1 });
    const bodies = Array.from({ length: 8 }, (_, i) => `creator ${i}`);
    const answers = await Promise.all(
      bodies.map((b, i) => (i % 2 === 0 ? store : other).put('_lock', b, { ifNoneMatch: '*' })),
    );
    const winners = answers.flatMap((a, i) => (a.ok ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => !a.ok)).toEqual(
      Array.from({ length: 7 }, () => ({ ok: false, reason: 'precondition' })),
    );
    expect(await readFile(join(root, '_lock'), 'utf8')).toBe(bodies[winners[0]!]);
    expect(await onDisk(root)).toEqual(['_lock']);
  });

  it('ifMatch replaces only the version it names: a stale ETag answers precondition and leaves the object', async () => {
    const { root, store } = await fresh();
    const first = await store.put('_lock', 'v1');
    if (!first.ok) throw new Error('first put refused');
    const second = await store.put('_lock', 'v2', { ifMatch: first.etag });
    expect(second.ok).toBe(true);
    expect(await store.put('_lock', 'v3', { ifMatch: first.etag })).toEqual({
      ok: false,
      reason: 'precondition',
    });
    expect(await readFile(join(root, '_lock'), 'utf8')).toBe('v2');
    expect(await store.put('absent', 'x', { ifMatch: first.etag })).toEqual({
      ok: false,
      reason: 'precondition',
    });
    expect(await onDisk(root)).toEqual(['_lock']);
  });

  it('a conditional write waits for the key lock: a held one answers conflict, a stale one (killed writer) is broken', async () => {
    const { root } = await fresh();
    const store = new DirectoryObjectStore(root, { retryDelayMs: 1, lockAttempts: 3, staleLockMs: 60_000 });
    await store.put('_lock', 'v1');
    const lockFile = join(root, '._lock.lock.tmp');
    await writeFile(lockFile, '');
    expect(await store.put('_lock', 'v2', { ifNoneMatch: '*' })).toEqual({ ok: false, reason: 'conflict' });
    expect(await readFile(join(root, '_lock'), 'utf8')).toBe('v1');
    const old = new Date(Date.now() - 120_000);
    await utimes(lockFile, old, old);
    const current = await store.get('_lock');
    expect((await store.put('_lock', 'v2', { ifMatch: current!.etag })).ok).toBe(true);
    expect(await onDisk(root)).toEqual(['_lock']);
  });

  it('object-lock.ts takes it for a store with conditional writes: probe honoured, a second run is LOCKED', async () => {
    const { store } = await fresh();
    expect(await probeConditionalWrites(store, 'run-a')).toBe('honoured');
    const held = await acquireObjectLock(store, { runId: 'run-a', conditional: true, singleWriter: false });
    const second = acquireObjectLock(store, { runId: 'run-b', conditional: true, singleWriter: false });
    await expect(second).rejects.toBeInstanceOf(DatasetLockedError);
    await expect(second).rejects.toMatchObject({ code: 'LOCKED' });
    await held.release();
    expect(await store.list()).toEqual([]);
  });
});

describe('DirectoryObjectStore: list, delete, ranges, streams', () => {
  it('lists keys under a prefix, reads ranges and streams, copies files in and out, deletes', async () => {
    const { root, store } = await fresh();
    await store.put('_manifest.json', '{}');
    await store.put('calls/date=2026-01-01/a.csv', '0123456789');
    await store.put('calls/date=2026-01-02/b.csv', 'b');
    await store.put('interactions/date=2026-01-01/c.csv', 'c');
    expect(await store.list('calls/')).toEqual([
      'calls/date=2026-01-01/a.csv',
      'calls/date=2026-01-02/b.csv',
    ]);
    expect(await store.list()).toHaveLength(4);
    expect((await store.readRange('calls/date=2026-01-01/a.csv', 2, 5)).toString()).toBe('234');
    expect(await text(await store.openRead('calls/date=2026-01-01/a.csv'))).toBe('0123456789');
    const local = join(root, '..', 'local.bin');
    await writeFile(local, Buffer.alloc(300_000, 7));
    await store.upload('calls/date=2026-01-03/big.parquet', local);
    expect(
      (await readFile(join(root, 'calls', 'date=2026-01-03', 'big.parquet'))).equals(await readFile(local)),
    ).toBe(true);
    const back = join(root, '..', 'back.csv');
    await store.download('calls/date=2026-01-01/a.csv', back);
    expect(await readFile(back, 'utf8')).toBe('0123456789');
    await store.delete(['calls/date=2026-01-01/a.csv', 'never-existed']);
    expect(await store.list('calls/')).toEqual([
      'calls/date=2026-01-02/b.csv',
      'calls/date=2026-01-03/big.parquet',
    ]);
    expect(await store.listUnfinishedUploads()).toEqual([]);
  });
});

describe('DirectoryObjectStore: keys stay under the root', () => {
  it.each(['../escape.json', '/etc/passwd', 'calls/../../x', 'a//b', ''])(
    'refuses the key %j (SINK)',
    async (key) => {
      const { root, store } = await fresh();
      await expect(store.put(key, 'x')).rejects.toMatchObject({ code: 'SINK' });
      await expect(store.get(key)).rejects.toMatchObject({ code: 'SINK' });
      await expect(store.delete([key])).rejects.toMatchObject({ code: 'SINK' });
      await expect(readdir(join(root, '..'))).resolves.toEqual([]);
    },
  );

  it('does not follow a symbolic link planted under the root: not listed, not read, not written through', async () => {
    const { root, store } = await fresh();
    const outside = join(root, '..', 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'outside');
    await store.put('_manifest.json', '{}');
    await symlink(outside, join(root, 'calls'));
    await symlink(join(outside, 'secret.txt'), join(root, '_state.json'));
    expect(await store.list()).toEqual(['_manifest.json']);
    await expect(store.get('calls/secret.txt')).rejects.toMatchObject({ code: 'SINK' });
    await expect(store.get('_state.json')).rejects.toMatchObject({ code: 'SINK' });
    await expect(store.put('calls/secret.txt', 'overwritten')).rejects.toMatchObject({ code: 'SINK' });
    await expect(store.put('_state.json', 'overwritten')).rejects.toMatchObject({ code: 'SINK' });
    await expect(store.delete(['calls/secret.txt'])).rejects.toMatchObject({ code: 'SINK' });
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside');
  });
});

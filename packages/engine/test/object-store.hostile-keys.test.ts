/**
 * A key under the dataset that is not a plain dataset path (`calls/../../victim.txt`: S3 keys
 * are free text, and anyone who can write the prefix can plant one) is never handed to the
 * store's delete by a committed run's cleanup: an S3-compatible server or proxy that normalises
 * the request path would delete `victim.txt` outside the prefix. The store is the directory
 * store with that key added to its listing (s3rver keeps objects as files, so it cannot hold a
 * `..` key); the API is the simulator on 127.0.0.1.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DirectoryObjectStore } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { exportCallLogs } from '../src/index.js';
import { callsOf, duck, engineScope } from './helpers.js';

const HOSTILE = 'calls/../../victim.txt';

/** The directory store, listing one planted key besides its files, recording what it is asked to delete. */
class PlantedKeyStore extends DirectoryObjectStore {
  readonly deleted: string[] = [];
  override async list(prefix = ''): Promise<string[]> {
    const keys = await super.list(prefix);
    return HOSTILE.startsWith(prefix) ? [...keys, HOSTILE].sort() : keys;
  }
  override async delete(keys: readonly string[]): Promise<void> {
    this.deleted.push(...keys);
    await super.delete(keys);
  }
}

describe('a planted key with .. under the dataset', () => {
  const scope = engineScope();

  it('two runs commit, every call once, the cleanup never asks to delete the planted key, the file it points at is intact', async () => {
    const sim = await scope.start({ records: 60, seed: 51 });
    const root = await scope.lake();
    const victim = join(root, '..', 'victim.txt');
    await writeFile(victim, 'not the dataset');
    const store = new PlantedKeyStore(root);
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, outDir: root, storage: store, pageSize: 20 };
    await exportCallLogs(options);
    sim.insertCalls(10);
    await exportCallLogs(options);
    const ids = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${callsOf(root)}`);
    expect({ n: Number(ids[0]?.['n']), d: Number(ids[0]?.['d']) }).toEqual({ n: 70, d: 70 });
    expect(store.deleted.filter((key) => key.split('/').includes('..'))).toEqual([]);
    expect(await readFile(victim, 'utf8')).toBe('not the dataset');
  });
});

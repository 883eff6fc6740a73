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
import { type ExportEvent, exportCallLogs } from '../src/index.js';
import { callsOf, duck, engineScope } from './helpers.js';

const HOSTILE = 'calls/../../victim.txt';

/** The directory store, listing planted keys besides its files, recording what it is asked to delete. */
class PlantedKeyStore extends DirectoryObjectStore {
  readonly deleted: string[] = [];
  constructor(
    root: string,
    readonly planted: readonly string[] = [HOSTILE],
  ) {
    super(root);
  }
  override async list(prefix = ''): Promise<string[]> {
    const keys = await super.list(prefix);
    return [...keys, ...this.planted.filter((key) => key.startsWith(prefix))].sort();
  }
  override async download(key: string, file: string): Promise<void> {
    if (this.planted.includes(key)) throw new Error(`asked to download the planted ${key}`);
    await super.download(key, file);
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

  it('a planted `_staging/../victim.txt`: no denial of service (two runs commit, every call once), a warning names it, it is never downloaded nor deleted', async () => {
    const sim = await scope.start({ records: 60, seed: 52 });
    const root = await scope.lake();
    const planted = '_staging/../victim.txt';
    const store = new PlantedKeyStore(root, [planted]);
    const warnings: string[] = [];
    const onEvent = (event: ExportEvent) => {
      if (event.type === 'warning') warnings.push(event.message);
    };
    const options = {
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: root,
      storage: store,
      pageSize: 20,
      onEvent,
    };
    await exportCallLogs(options);
    sim.insertCalls(10);
    await exportCallLogs(options);
    const ids = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${callsOf(root)}`);
    expect({ n: Number(ids[0]?.['n']), d: Number(ids[0]?.['d']) }).toEqual({ n: 70, d: 70 });
    expect(
      warnings.filter((w) => w.includes(`/${planted}`) && w.includes('not a key this tool writes')),
    ).toHaveLength(2);
    expect(store.deleted.filter((key) => key.split('/').includes('..'))).toEqual([]);
  });

  it('a failed run (aborted after a checkpoint) never asks to delete planted keys: `_staging/../x`, nor `calls/../../part-<its run id>-…` that carries its name', async () => {
    const sim = await scope.start({ records: 200, seed: 53 });
    const root = await scope.lake();
    const runId = '20261201T000000Z-hostil';
    const planted = ['_staging/../victim.txt', `calls/../../part-${runId}-00099.ndjson`];
    const store = new PlantedKeyStore(root, planted);
    const abort = new AbortController();
    const onEvent = (event: ExportEvent) => {
      if (event.type === 'checkpoint') abort.abort();
    };
    await expect(
      exportCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        outDir: root,
        storage: store,
        format: 'ndjson',
        pageSize: 20,
        checkpointPages: 2,
        runId,
        signal: abort.signal,
        onEvent,
      }),
    ).rejects.toThrow();
    expect(abort.signal.aborted).toBe(true);
    expect(store.deleted.filter((key) => key.split('/').includes('..'))).toEqual([]);
  });
});

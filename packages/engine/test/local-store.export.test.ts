/**
 * `exportCallLogs({ storage: new DirectoryObjectStore(dir) })` (issue 18, the second storage
 * implementation) against the simulator on 127.0.0.1, read back by DuckDB from the directory:
 * runs through the object-store protocol (probe, lock, publish) and leaves exactly the manifest's
 * objects; an aborted run resumes to every call once; two runs at once: one wins, one is LOCKED.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DirectoryObjectStore } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { exportCallLogs } from '../src/index.js';
import { callsOf, duck, engineScope } from './helpers.js';

/** Every file really on disk under `root` (temp and lock files included), relative. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

/** Asserts the directory holds exactly the manifest's files and sidecars plus the control files. */
async function expectExactlyTheManifest(root: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(root, '_manifest.json'), 'utf8')) as {
    files: { path: string }[];
    sidecars?: { path: string }[];
  };
  const listed = [...manifest.files.map((f) => f.path), ...(manifest.sidecars ?? []).map((s) => s.path)];
  const control = (k: string) => k === '_manifest.json' || k === '_state.json' || k.endsWith('/_SUCCESS');
  expect((await filesUnder(root)).filter((k) => !control(k))).toEqual(listed.sort());
}

/** DuckDB's count of rows and of distinct ids in the calls table under `root`. */
async function countCalls(root: string): Promise<{ n: number; ids: number }> {
  const [row] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${callsOf(root)}`);
  return { n: Number(row?.['n']), ids: Number(row?.['ids']) };
}

/** Every id in the calls table under `root`, ascending. */
async function idsOf(root: string): Promise<number[]> {
  return (await duck(`SELECT id FROM ${callsOf(root)} ORDER BY id`)).map((r) => Number(r['id']));
}

describe('exportCallLogs on a DirectoryObjectStore', () => {
  const scope = engineScope();

  it('two incremental runs (new calls between them): the ids are the simulator ids, the objects exactly the manifest', async () => {
    const sim = await scope.start({ records: 120, seed: 41 });
    const root = await scope.lake();
    const options = {
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: root,
      pageSize: 20,
      incremental: { stateFile: '_state.json', lookbackMs: 0 },
    };
    const first = await exportCallLogs({ ...options, storage: new DirectoryObjectStore(root) });
    expect(first.outputDir).toBe(root);
    expect(await idsOf(root)).toEqual([...sim.ids()].sort((a, b) => a - b));
    sim.insertCalls(15);
    await exportCallLogs({ ...options, storage: new DirectoryObjectStore(root) });
    expect(await idsOf(root)).toEqual([...sim.ids()].sort((a, b) => a - b));
    expect(await countCalls(root)).toEqual({ n: 135, ids: 135 });
    await expectExactlyTheManifest(root);
    expect(await filesUnder(root)).toContain('_state.json');
  });

  it('aborted after a checkpoint, the rerun resumes: every call exactly once, no lock left', async () => {
    const sim = await scope.start({ records: 200, seed: 42 });
    const root = await scope.lake();
    const storage = new DirectoryObjectStore(root);
    const options = {
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: root,
      storage,
      pageSize: 20,
      checkpointPages: 2,
    };
    const controller = new AbortController();
    const first = exportCallLogs({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'checkpoint') controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    // Nothing published, the lock released.
    expect(await storage.get('_manifest.json')).toBeUndefined();
    expect(await storage.get('_lock')).toBeUndefined();
    const second = await exportCallLogs(options);
    expect(second.resumedFrom).not.toBeNull();
    expect(await countCalls(root)).toEqual({ n: 200, ids: 200 });
    expect(await idsOf(root)).toEqual([...sim.ids()].sort((a, b) => a - b));
    await expectExactlyTheManifest(root);
  });

  it('two runs at once on one directory: the one holding the lock commits, the other fails LOCKED having fetched nothing', async () => {
    const sim = await scope.start({ records: 80, seed: 43 });
    const root = await scope.lake();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let atCommit!: () => void;
    const reachedCommit = new Promise<void>((resolve) => (atCommit = resolve));
    // The first run's store holds its commit point (the manifest upload) until the second has failed.
    class HeldAtCommit extends DirectoryObjectStore {
      override async upload(key: string, file: string) {
        if (key === '_manifest.json') {
          atCommit();
          await released;
        }
        return super.upload(key, file);
      }
    }
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, outDir: root, pageSize: 20 };
    const first = exportCallLogs({ ...options, storage: new HeldAtCommit(root) });
    // Raced with the run itself: a first run that fails before its commit fails the test at once.
    await Promise.race([reachedCommit, first]);
    const requestsBefore = sim.stats.requests;
    const second = exportCallLogs({ ...options, storage: new DirectoryObjectStore(root) });
    await expect(second).rejects.toMatchObject({ code: 'LOCKED' });
    expect(sim.stats.requests).toBe(requestsBefore);
    release();
    await first;
    expect(await idsOf(root)).toEqual([...sim.ids()].sort((a, b) => a - b));
    await expectExactlyTheManifest(root);
  });
  it('a custom store without head() (written against size(), before 0.1) fails before any request, naming storage and what is missing', async () => {
    const sim = await scope.start({ records: 30, seed: 43 });
    const root = await scope.lake();
    const { head: _head, ...rest } = Object.fromEntries(
      ['get', 'head', 'put', 'upload', 'download', 'list', 'delete', 'close'].map((m) => [
        m,
        () => undefined,
      ]),
    );
    const oldStore = { ...rest, location: root, size: async () => undefined };
    const error = await exportCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: root,
      storage: oldStore as never,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_OPTION', option: 'storage' });
    expect(String((error as Error).message)).toMatch(/missing: head;/);
    expect(sim.stats.listRequests).toBe(0);
    // Nothing was created: not even the directory.
    expect(await readdir(root).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  });
});

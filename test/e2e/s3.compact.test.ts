/**
 * `compact` and the partition grain on an object store (issues 16 and 18), against s3rver on
 * 127.0.0.1 behind the harness proxy: a day-grain lake in the bucket compacted to month keeps
 * every row and call id (DuckDB over the downloaded objects, before and after) and leaves exactly
 * the manifest's objects under the prefix; an export asking another grain than the bucket lake's
 * is a usage error (exit 2) before any API request, the bucket untouched.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '@omnidim-stream/simulator';
import type { DatasetManifest } from '@omnidim-stream/sinks';
import { TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import { describe, expect, it } from 'vitest';
import { checkDataset } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { s3Scope } from './harness/s3-scope.js';
import { exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';

const scope = s3Scope();
const S3_FLAGS = () => ['--s3-endpoint', scope.server.endpoint, '--s3-force-path-style'];

/** The bucket's objects under `prefix`, downloaded; with its manifest. */
async function snapshot(prefix: string): Promise<{ dir: string; keys: string[]; manifest: DatasetManifest }> {
  const dir = await tempDir('s3-compact');
  scope.cleanups.push(dir.remove);
  const keys = await scope.server.download(prefix, dir.path);
  const manifest = JSON.parse(await readFile(join(dir.path, '_manifest.json'), 'utf8')) as DatasetManifest;
  return { dir: dir.path, keys, manifest };
}

/** Per table, the call id of every row, sorted (rows and ids: what compact must keep). */
async function rowsByCall(dir: string): Promise<Record<TableName, number[]>> {
  const out = {} as Record<TableName, number[]>;
  for (const table of TABLE_NAMES) {
    const ids = await scope.reader.ids(dir, 'parquet', table, table === 'calls' ? 'id' : 'call_id');
    out[table] = ids.sort((a, b) => a - b);
  }
  return out;
}

/** Data objects under the prefix (not the manifest, state, markers). */
const dataKeys = (keys: string[]) =>
  keys.filter((k) => k !== '_manifest.json' && k !== '_state.json' && !k.endsWith('/_SUCCESS')).sort();

describe('compact --out s3://…', () => {
  it("a day-grain lake in the bucket compacted to month: same rows and ids, exactly the manifest's objects after it", async () => {
    const sim = await startSimulator({ seed: 7, records: 240, apiKey: LEAK_KEY });
    scope.sim = sim;
    const prefix = 'compact';
    const out = `s3://lake/${prefix}`;
    const exported = await runCliInProcess(
      [
        ...exportArgv({ out, format: 'parquet', baseUrl: sim.url, pageSize: 50 }),
        ...S3_FLAGS(),
        ...['--partition-by', 'day', '--state'],
      ],
      keyEnv(),
    );
    expect(exported.code, exported.stderr).toBe(0);
    const before = await snapshot(prefix);
    expect(before.manifest.files.every((f) => /\/date=\d{4}-\d{2}-\d{2}\//.test(f.path))).toBe(true);
    const rowsBefore = await rowsByCall(before.dir);
    expect(rowsBefore.calls).toHaveLength(240);
    expect(rowsBefore.interactions.length).toBeGreaterThan(240);

    const requests = sim.stats.requests;
    const compacted = await runCliInProcess(
      ['compact', '--out', out, '--partition-by', 'month', '--json', ...S3_FLAGS()],
      {},
    );
    expect(compacted.code, compacted.stderr).toBe(0);
    expect(JSON.parse(compacted.stdout)).toMatchObject({ from: 'day', to: 'month', stateUpdated: true });
    expect(sim.stats.requests).toBe(requests);

    const after = await snapshot(prefix);
    expect(after.manifest.files.length).toBeGreaterThan(0);
    expect(after.manifest.files.every((f) => /^\w+\/month=\d{4}-\d{2}-01\/part-/.test(f.path))).toBe(true);
    expect(after.manifest.files.length).toBeLessThan(before.manifest.files.length);
    expect(dataKeys(after.keys)).toEqual(after.manifest.files.map((f) => f.path).sort());
    await checkDataset(scope.reader, after.dir, 'parquet', 'after compact');
    expect(await rowsByCall(after.dir)).toEqual(rowsBefore);
    const state = JSON.parse(await readFile(join(after.dir, '_state.json'), 'utf8')) as {
      partitionBy: string;
    };
    expect(state.partitionBy).toBe('month');
    expect(after.keys.filter((k) => k.startsWith('_staging/') || k === '_lock')).toEqual([]);

    // The next incremental run follows the new grain: merges into month partitions, exit 0.
    sim.insertCalls(5);
    const next = await runCliInProcess(
      [...exportArgv({ out, format: 'parquet', baseUrl: sim.url, pageSize: 50 }), ...S3_FLAGS(), '--state'],
      keyEnv(),
    );
    expect(next.code, next.stderr).toBe(0);
    const final = await snapshot(prefix);
    expect((await rowsByCall(final.dir)).calls).toEqual([...sim.ids()].sort((a, b) => a - b));
  });

  it("an export asking another --partition-by than the bucket lake's: exit 2 naming it, before any API request; the bucket untouched", async () => {
    const sim = await startSimulator({ seed: 8, records: 60, apiKey: LEAK_KEY });
    scope.sim = sim;
    const prefix = 'grain';
    const out = `s3://lake/${prefix}`;
    const argv = (extra: string[]) => [
      ...exportArgv({ out, format: 'parquet', baseUrl: sim.url, pageSize: 50 }),
      ...S3_FLAGS(),
      ...extra,
    ];
    const first = await runCliInProcess(argv(['--state']), keyEnv());
    expect(first.code, first.stderr).toBe(0);
    const bucket = await scope.server.objects(prefix);
    const requests = sim.stats.requests;
    const refused = await runCliInProcess(argv(['--state', '--partition-by', 'day']), keyEnv());
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('--partition-by');
    expect(refused.stderr).toContain('compact');
    expect(sim.stats.requests).toBe(requests);
    expect(await scope.server.objects(prefix)).toEqual(bucket);
  });
});

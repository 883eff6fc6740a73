/**
 * Issue 21: at commit, a partition's small part files of the run (a checkpoint closes every open
 * file) are merged by copying bytes (packages/sinks/src/partition-consolidate.ts), not by
 * re-encoding rows. Exports with a checkpoint every page (several small files per partition),
 * read back with DuckDB: every simulator call id exactly once, the same rows per table and the
 * same files per table as an export that never checkpoints (one file per partition), one CSV
 * header per file, and every committed file's bytes, sha256 and rows as the manifest lists them.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { describe, expect, it } from 'vitest';
import { type ExportCallLogsOptions, exportCallLogs } from '../src/index.js';
import { duck, engineScope } from './helpers.js';

type Case = { format: 'ndjson' | 'csv' | 'parquet'; codec: 'default' | 'gzip'; workers: number };

interface Manifest {
  files: { path: string; table: string; rows: number; bytes: number; sha256: string }[];
}

/** DuckDB's reader of `glob`, one row per record, with the file it came from. */
function readerOf(format: Case['format'], glob: string): string {
  if (format === 'parquet') return `read_parquet('${glob}', filename = true, hive_partitioning = false)`;
  if (format === 'csv') {
    return `read_csv('${glob}', header = true, all_varchar = true, filename = true, hive_partitioning = false)`;
  }
  return `read_json('${glob}', format = 'newline_delimited', filename = true, hive_partitioning = false)`;
}

/** Rows per committed file of every table, as DuckDB reads them: `table/…/part-x` → rows. */
async function rowsPerFile(lake: string, format: Case['format']): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLE_NAMES) {
    const from = readerOf(format, `${lake}/${table}/**/part-*`);
    for (const row of await duck(`SELECT filename AS f, count(*) AS n FROM ${from} GROUP BY f`)) {
      counts[String(row['f']).slice(lake.length + 1)] = Number(row['n']);
    }
  }
  return counts;
}

/** The manifest lists exactly the files DuckDB read (`perFile`), with their rows, bytes and sha256. */
async function expectManifestOf(lake: string, manifest: Manifest, perFile: Record<string, number>) {
  expect(Object.keys(perFile).sort()).toEqual(manifest.files.map((f) => f.path).sort());
  for (const file of manifest.files) {
    const bytes = await readFile(join(lake, file.path));
    expect(file.rows, file.path).toBe(perFile[file.path]);
    expect(file.bytes, file.path).toBe(bytes.length);
    expect(file.sha256, file.path).toBe(createHash('sha256').update(bytes).digest('hex'));
  }
}

describe('commit: small part files of a partition merged by copying bytes', () => {
  const scope = engineScope();

  async function exportTo(base: ExportCallLogsOptions, checkpointPages: number) {
    const outDir = await scope.lake();
    const result = await exportCallLogs({ ...base, outDir, checkpointPages });
    const manifest = JSON.parse(await readFile(join(outDir, '_manifest.json'), 'utf8')) as Manifest;
    return { lake: outDir, result, manifest };
  }

  it.each<Case>([
    { format: 'ndjson', codec: 'default', workers: 0 },
    { format: 'ndjson', codec: 'default', workers: 2 },
    { format: 'ndjson', codec: 'gzip', workers: 0 },
    { format: 'csv', codec: 'default', workers: 0 },
    { format: 'csv', codec: 'default', workers: 2 },
    { format: 'csv', codec: 'gzip', workers: 0 },
    { format: 'parquet', codec: 'default', workers: 0 },
  ])(
    '$format/$codec workers $workers: every call once, rows and files as without checkpoints',
    async (c) => {
      // ~600 calls 4 h apart span 4 months: with 12 pages and a checkpoint each, 3+ files a month.
      const sim = await scope.start({ records: 600, seed: 33 });
      const base = {
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        outDir: '',
        format: c.format,
        pageSize: 50,
        concurrency: 1,
        workers: c.workers,
        ...(c.codec === 'gzip' ? { compression: 'gzip' } : {}),
      } satisfies ExportCallLogsOptions;
      const merged = await exportTo(base, 1);
      const plain = await exportTo(base, 0);
      expect(merged.result.completeness).toMatchObject({ ended: true, missing: 0 });

      const ids = await duck(`SELECT id FROM ${readerOf(c.format, `${merged.lake}/calls/**/part-*`)}`);
      const read = ids.map((r) => Number(r['id'])).sort((a, b) => b - a);
      expect(read).toEqual([...sim.ids()].sort((a, b) => b - a));

      const perFile = await rowsPerFile(merged.lake, c.format);
      const plainPerFile = await rowsPerFile(plain.lake, c.format);
      for (const table of TABLE_NAMES) {
        const sum = (counts: Record<string, number>) =>
          Object.entries(counts)
            .filter(([path]) => path.startsWith(`${table}/`))
            .reduce((n, [, rows]) => n + rows, 0);
        const files = (m: Manifest) => m.files.filter((f) => f.table === table).length;
        expect(sum(perFile), table).toBe(sum(plainPerFile));
        expect(sum(perFile), table).toBeGreaterThan(0);
        // Merged down to what a run without checkpoints writes: one file per table and month.
        expect(files(merged.manifest), table).toBe(files(plain.manifest));
      }
      await expectManifestOf(merged.lake, merged.manifest, perFile);
      if (c.format === 'csv') {
        // A header line copied with a file's records would read back as a record.
        for (const table of TABLE_NAMES) {
          const key = table === 'calls' ? 'id' : 'call_id';
          const from = readerOf('csv', `${merged.lake}/${table}/**/part-*`);
          const [row] = await duck(`SELECT count(*) AS n FROM ${from} WHERE "${key}" = '${key}'`);
          expect(Number(row!['n']), table).toBe(0);
        }
      }
    },
    120_000,
  );

  it('ndjson: a resumed run merges the checkpoint files it adopted with its own: every call once', async () => {
    const sim = await scope.start({ records: 600, seed: 34 });
    const options = {
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: await scope.lake(),
      format: 'ndjson',
      pageSize: 50,
      concurrency: 1,
      checkpointPages: 1,
    } satisfies ExportCallLogsOptions;
    const controller = new AbortController();
    let checkpoints = 0;
    const first = exportCallLogs({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'checkpoint' && ++checkpoints === 4) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const second = await exportCallLogs(options);
    expect(second.resumedCalls).toBe(200);
    const ids = await duck(`SELECT id FROM ${readerOf('ndjson', `${options.outDir}/calls/**/part-*`)}`);
    expect(ids.map((r) => Number(r['id'])).sort((a, b) => b - a)).toEqual(
      [...sim.ids()].sort((a, b) => b - a),
    );
    const manifest = JSON.parse(await readFile(join(options.outDir, '_manifest.json'), 'utf8')) as Manifest;
    await expectManifestOf(options.outDir, manifest, await rowsPerFile(options.outDir, 'ndjson'));
    // One file per table and month: the adopted files were merged with the resumed run's.
    const dirs = manifest.files.map((f) => f.path.slice(0, f.path.lastIndexOf('/')));
    expect(new Set(dirs).size).toBe(dirs.length);
  }, 120_000);
});

import { join } from 'node:path';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  anyFileContains,
  duck,
  envFor,
  listFiles,
  problemLines,
  runMain,
  SECRET_KEY,
  simulator,
  tempDir,
} from './helpers.js';

const READERS = {
  parquet: (dir: string, table: string) =>
    `read_parquet('${dir}/${table}/**/*.parquet', hive_partitioning = true)`,
  csv: (dir: string, table: string) =>
    `read_csv('${dir}/${table}/**/*.csv', header = true, hive_partitioning = true)`,
  ndjson: (dir: string, table: string) =>
    `read_json('${dir}/${table}/**/*.ndjson', format = 'newline_delimited', hive_partitioning = true)`,
} as const;

describe('export writes every format, read back by DuckDB', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  for (const format of ['parquet', 'csv', 'ndjson'] as const) {
    it(`--format ${format}: every call of the API, once, with its interactions`, async () => {
      sim = await simulator({ records: 260 });
      const out = await tempDir(format);
      cleanups.push(out.remove);
      const run = await runMain(
        ['export', '--out', out.path, '--format', format, '--page-size', '100', '--json'],
        {
          env: envFor(sim),
        },
      );
      expect(problemLines(run.stderr)).toEqual([]);
      expect(run.code).toBe(0);
      const ids = (await duck(`SELECT id FROM ${READERS[format](out.path, 'calls')} ORDER BY id DESC`)).map(
        (r) => Number(r['id']),
      );
      expect(ids).toEqual(sim.ids());
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      const [interactions] = await duck(
        `SELECT count(*) AS n FROM ${READERS[format](out.path, 'interactions')}`,
      );
      expect((summary['counts'] as Record<string, number>)['interactions']).toBe(Number(interactions?.['n']));
      expect(summary['pages']).toBe(3);
      // The key is in no output and no file.
      expect(run.stdout + run.stderr).not.toContain(SECRET_KEY);
      expect(await anyFileContains(out.path, SECRET_KEY)).toBeUndefined();
    });
  }

  it('--json prints exactly one summary object on stdout with the documented keys', async () => {
    sim = await simulator({ records: 120 });
    const out = await tempDir('json');
    cleanups.push(out.remove);
    const run = await runMain(['export', '--out', out.path, '--tables', 'calls,webhooks', '--json'], {
      env: envFor(sim),
    });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        'runId',
        'counts',
        'pages',
        'retries',
        'duplicatesDropped',
        'driftSeen',
        'quarantined',
        'filesWritten',
        'durationMs',
        'outputDir',
      ]),
    );
    expect(summary['status']).toBe('ok');
    expect(summary['records']).toBe(120);
    expect(Object.keys(summary['counts'] as object).sort()).toEqual(['calls', 'webhooks']);
    // Files listed are the data files on disk.
    const data = (await listFiles(out.path)).filter((f) => f.endsWith('.parquet'));
    expect([...(summary['files'] as string[])].sort()).toEqual(data);
    expect(summary['filesWritten']).toBe(data.length);
    expect(data.every((f) => f.startsWith('calls/') || f.startsWith('webhooks/'))).toBe(true);
    const [n] = await duck(`SELECT count(*) AS n FROM ${READERS.parquet(out.path, 'calls')}`);
    expect(Number(n?.['n'])).toBe((summary['counts'] as Record<string, number>)['calls']);
  });

  it('--raw keeps every call log as received, gzipped NDJSON under raw/, readable by DuckDB', async () => {
    sim = await simulator({ records: 90 });
    const out = await tempDir('raw');
    cleanups.push(out.remove);
    const run = await runMain(['export', '--out', out.path, '--raw', '--json'], { env: envFor(sim) });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { raw: string };
    expect(summary.raw).toMatch(/^raw\/calls-.+\.ndjson\.gz$/);
    expect((await listFiles(join(out.path, 'raw'))).every((f) => !f.startsWith('_tmp'))).toBe(true);
    const rows = await duck(
      `SELECT id, time_of_call FROM read_json('${join(out.path, summary.raw)}', format = 'newline_delimited') ORDER BY id DESC`,
    );
    expect(rows.map((r) => Number(r['id']))).toEqual(sim.ids());
  });
});

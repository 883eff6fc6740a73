import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { envFor, runMain, simulator, tempDir } from './helpers.js';

describe('schema --format duckdb (issue 17)', () => {
  it('prints the views an export writes beside its manifest, and they read the lake typed', async () => {
    const sim = await simulator({ records: 150 });
    const out = await tempDir('views');
    try {
      const run = await runMain(['export', '--out', out.path, '--format', 'csv'], { env: envFor(sim) });
      expect(run.code).toBe(0);
      const shipped = await readFile(join(out.path, '_views.duckdb.sql'), 'utf8');
      const printed = await runMain(['schema', '--format', 'duckdb', '--lake-format', 'csv']);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(shipped);
      const db = await (await DuckDBInstance.create(':memory:')).connect();
      await db.run(`SET file_search_path = '${out.path}'`);
      await db.run(printed.stdout);
      const described = (await db.runAndReadAll('DESCRIBE calls')).getRowObjectsJson();
      const types = Object.fromEntries(described.map((r) => [r['column_name'], r['column_type']]));
      expect(types['call_date']).toBe('DATE');
      expect(types['time_of_call']).toBe('TIMESTAMP WITH TIME ZONE');
      expect(types['call_duration_in_seconds']).toBe('DOUBLE');
      const [count] = (await db.runAndReadAll('SELECT count(*) AS n FROM calls')).getRowObjectsJson();
      expect(Number(count?.['n'])).toBe(150);
    } finally {
      await sim.close();
      await out.remove();
    }
  });

  it('refuses an unknown --lake-format with exit code 2, naming the flag', async () => {
    const run = await runMain(['schema', '--format', 'duckdb', '--lake-format', 'orc']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('lake-format');
  });
});

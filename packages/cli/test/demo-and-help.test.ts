import { join } from 'node:path';
import { EXPORT_DEFAULTS } from '@omnidim-stream/cli';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, runMain, tempDir } from './helpers.js';

describe('export --demo, schema and --help', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('--demo needs no key and writes a Parquet dataset DuckDB reads, then says how to query it', async () => {
    const d = await tempDir('demo');
    cleanups.push(d.remove);
    const run = await runMain(['export', '--demo'], { cwd: d.path, env: {} });
    expect(run.code).toBe(0);
    const out = join(d.path, EXPORT_DEFAULTS.demoOut);
    const [row] = await duck(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${out}/calls/**/*.parquet', hive_partitioning = true)`,
    );
    expect(Number(row?.['n'])).toBe(EXPORT_DEFAULTS.demoRecords);
    expect(Number(row?.['ids'])).toBe(EXPORT_DEFAULTS.demoRecords);
    expect(run.stderr).toContain(out);
    expect(run.stderr).toContain('duckdb -c');
    expect(run.stdout).toBe('');
  }, 60_000);

  it.each(['export', 'convert', 'schema', 'simulate'])(
    '%s --help prints usage with examples, exit 0',
    async (cmd) => {
      const run = await runMain([cmd, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`omnidim-stream ${cmd}`);
      expect(run.stdout).toContain('Examples:');
    },
  );

  it('no command is exit 2 with a hint', async () => {
    const run = await runMain([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('export');
  });

  it('schema --format json lists the four tables; --table picks one; markdown has a column table', async () => {
    const all = await runMain(['schema', '--format', 'json']);
    expect(all.code).toBe(0);
    const parsed = JSON.parse(all.stdout) as { tables: { name: string; columns: { name: string }[] }[] };
    expect(parsed.tables.map((t) => t.name)).toEqual(['calls', 'interactions', 'function_calls', 'webhooks']);
    const one = JSON.parse((await runMain(['schema', '--table', 'webhooks', '--format', 'json'])).stdout) as {
      name: string;
    };
    expect(one.name).toBe('webhooks');
    const md = await runMain(['schema', '--table', 'calls']);
    expect(md.stdout).toMatch(/^## calls/);
    expect(md.stdout).toContain('| `id` |');
    expect(md.stdout).not.toContain('## interactions');
    const bad = await runMain(['schema', '--table', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('table');
  });
});

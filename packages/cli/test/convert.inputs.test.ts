import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateCallLog, type RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, envFor, problemLines, runMain, simulator, tempDir } from './helpers.js';

/** Simulated call logs, newest first, as the API serves them. */
function logs(count: number, seed = 3): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = count - 1; i >= 0; i--) out.push(generateCallLog(seed, i));
  return out;
}

function pages(
  all: Record<string, unknown>[],
  size: number,
): { call_log_data: unknown[]; total_records: number }[] {
  const result = [];
  for (let i = 0; i < all.length; i += size)
    result.push({ call_log_data: all.slice(i, i + size), total_records: all.length });
  return result;
}

async function ids(dir: string, table = 'calls'): Promise<number[]> {
  const rows = await duck(`SELECT id FROM read_parquet('${dir}/${table}/**/*.parquet') ORDER BY id DESC`);
  return rows.map((r) => Number(r['id']));
}

describe('convert turns any raw archive layout into the same tables', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  async function dir() {
    const d = await tempDir('convert');
    cleanups.push(d.remove);
    return d.path;
  }

  const all = logs(130);
  const expectedIds = all.map((l) => Number(l['id']));
  const layouts: [string, string | Buffer][] = [
    ['array.json', JSON.stringify(all)],
    ['pages.json', JSON.stringify(pages(all, 50))],
    ['page.json', JSON.stringify({ total_records: all.length, call_log_data: all })],
    ['logs.ndjson', `${all.map((l) => JSON.stringify(l)).join('\n')}\n`],
    ['pages.json.gz', gzipSync(JSON.stringify(pages(all, 40), null, 2))],
    ['logs.ndjson.gz', gzipSync(all.map((l) => JSON.stringify(l)).join('\n'))],
  ];

  for (const [name, content] of layouts) {
    it(`${name}: every call once, readable by DuckDB`, async () => {
      const d = await dir();
      await writeFile(join(d, name), content);
      const run = await runMain(['convert', join(d, name), '--out', join(d, 'lake'), '--json']);
      expect(problemLines(run.stderr)).toEqual([]);
      expect(run.code).toBe(0);
      expect(await ids(join(d, 'lake'))).toEqual(expectedIds);
      const summary = JSON.parse(run.stdout) as { records: number; counts: { interactions: number } };
      expect(summary.records).toBe(all.length);
      const [n] = await duck(
        `SELECT count(*) AS n FROM read_parquet('${join(d, 'lake')}/interactions/**/*.parquet')`,
      );
      expect(summary.counts.interactions).toBe(Number(n?.['n']));
    });
  }

  it('the NDJSON written by export --raw converts to the same rows as the export itself', async () => {
    sim = await simulator({ records: 140 });
    const d = await dir();
    const exported = await runMain(['export', '--out', join(d, 'a'), '--raw', '--format', 'csv', '--json'], {
      env: envFor(sim),
    });
    expect(exported.code).toBe(0);
    const raw = (JSON.parse(exported.stdout) as { raw: string }).raw;
    const run = await runMain([
      'convert',
      join(d, 'a', raw),
      '--out',
      join(d, 'b'),
      '--format',
      'csv',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const read = (lake: string) =>
      duck(
        `SELECT * EXCLUDE (month) FROM read_csv('${lake}/webhooks/**/*.csv', header = true, all_varchar = true, hive_partitioning = true) ORDER BY ALL`,
      );
    expect(await read(join(d, 'b'))).toEqual(await read(join(d, 'a')));
  });

  it('a non-object element is quarantined and counted, not dropped silently', async () => {
    const d = await dir();
    await writeFile(join(d, 'mixed.json'), JSON.stringify([...all.slice(0, 3), 42, { no: 'id' }]));
    const run = await runMain(['convert', join(d, 'mixed.json'), '--out', join(d, 'lake'), '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ records: 5, quarantined: 2, counts: { calls: 3 } });
  });

  it('broken JSON is exit 7 and commits nothing; a missing file is a usage error, exit 2, before any write', async () => {
    const d = await dir();
    await writeFile(join(d, 'cut.json'), JSON.stringify(all).slice(0, 5000));
    const cut = await runMain(['convert', join(d, 'cut.json'), '--out', join(d, 'lake')]);
    expect(cut.code).toBe(7);
    expect(cut.stderr).toContain('cut.json');
    const [files] = await duck(`SELECT count(*) AS n FROM glob('${join(d, 'lake')}/**/*.parquet')`);
    expect(Number(files?.['n'])).toBe(0);
    const missing = await runMain(['convert', join(d, 'nope.json'), '--out', join(d, 'lake2')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    // One line: the run is not announced before its input was found.
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    await expect(access(join(d, 'lake2'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duck, envFor, listFiles, runMain, simulatorScope } from './helpers.js';

/**
 * Review of issue 16's merge-on-write against a planted lake: a manifest that no longer matches
 * its files must stop the incremental run (exit 6) with the lake byte-for-byte as it was, never
 * carry fewer calls over in silence. Simulator on 127.0.0.1; DuckDB reads the lake back.
 */
async function snapshot(out: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const f of await listFiles(out)) {
    if (f.startsWith('_lock')) continue;
    files[f] = (await readFile(join(out, f))).toString('base64');
  }
  return files;
}

async function callsFile(out: string, ext: string): Promise<string> {
  const names = await readdir(join(out, 'calls'));
  const file = names.find((n) => n.endsWith(ext));
  if (!file) throw new Error(`no calls file in ${names.join(',')}`);
  return join(out, 'calls', file);
}

describe('merge-on-write refuses a lake that disagrees with its manifest', () => {
  const scope = simulatorScope('tamper');

  it('NDJSON: a calls file missing lines the manifest counts → exit 6, lake unchanged', async () => {
    const sim = await scope.start({ records: 300, seed: 11 });
    const out = await scope.lake();
    const args = ['export', '--out', out, '--state', '--format', 'ndjson', '--partition-by', 'none'];
    const first = await runMain(args, { env: envFor(sim) });
    expect(first.code).toBe(0);
    // Drop the oldest call's line: an incremental run's lookback does not re-read it.
    const path = await callsFile(out, '.ndjson');
    const [oldest] = await duck(`SELECT min(id) AS id FROM read_ndjson_auto('${path}')`);
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
    const kept = lines.filter((l) => (JSON.parse(l) as { id: number }).id !== Number(oldest!['id']));
    expect(kept.length).toBe(lines.length - 1);
    await writeFile(path, `${kept.join('\n')}\n`);
    const before = await snapshot(out);
    const next = await runMain([...args, '--json'], { env: envFor(sim) });
    expect(next.stderr).toMatch(/rows|manifest/);
    expect(next.code).toBe(6);
    expect(await snapshot(out)).toEqual(before);
  }, 60_000);

  it.each([
    ['truncated', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['NDJSON in its place', () => Buffer.from('{"id":1}\n')],
  ] as const)(
    'Parquet: a calls file %s → exit 6, lake unchanged',
    async (_name, plant) => {
      const sim = await scope.start({ records: 300, seed: 12 });
      const out = await scope.lake();
      const args = ['export', '--out', out, '--state', '--partition-by', 'none'];
      expect((await runMain(args, { env: envFor(sim) })).code).toBe(0);
      const path = await callsFile(out, '.parquet');
      await writeFile(path, plant(await readFile(path)));
      const before = await snapshot(out);
      const next = await runMain(args, { env: envFor(sim) });
      expect(next.code).toBe(6);
      expect(await snapshot(out)).toEqual(before);
    },
    60_000,
  );

  it('a manifest path ../x: exit 6, the outside file neither read into the lake nor touched', async () => {
    const sim = await scope.start({ records: 300, seed: 14 });
    const out = await scope.lake();
    const args = ['export', '--out', out, '--state', '--partition-by', 'none', '--format', 'ndjson'];
    expect((await runMain(args, { env: envFor(sim) })).code).toBe(0);
    const mpath = join(out, '_manifest.json');
    const m = JSON.parse(await readFile(mpath, 'utf8')) as { files: { path: string; table: string }[] };
    const outside = join(out, '..', 'outside.ndjson');
    await writeFile(outside, await readFile(await callsFile(out, '.ndjson')));
    const outsideBefore = await readFile(outside);
    m.files.find((x) => x.table === 'calls')!.path = '../outside.ndjson';
    await writeFile(mpath, JSON.stringify(m));
    const before = await snapshot(out);
    const next = await runMain(args, { env: envFor(sim) });
    expect(next.code).toBe(6);
    // The refused commit journal stays in _staging (it says so); every lake file is as it was.
    const after = Object.fromEntries(
      Object.entries(await snapshot(out)).filter(([f]) => !f.startsWith('_staging/')),
    );
    expect(after).toEqual(before);
    expect(await readFile(outside)).toEqual(outsideBefore);
  }, 60_000);

  it.each([['export', '--state'], ['compact']])(
    '%s: a manifest listing one file twice → exit 6, lake unchanged (not every call twice)',
    async (command, ...extra) => {
      const sim = await scope.start({ records: 300, seed: 16 });
      const out = await scope.lake();
      const base = ['--out', out, '--format', 'ndjson', '--partition-by', 'none'];
      expect((await runMain(['export', ...base, '--state'], { env: envFor(sim) })).code).toBe(0);
      const mpath = join(out, '_manifest.json');
      const m = JSON.parse(await readFile(mpath, 'utf8')) as {
        files: { table: string }[];
        tables: { calls: { rows: number; files: number } };
      };
      m.files.push({ ...m.files.find((f) => f.table === 'calls')! });
      m.tables.calls.rows *= 2;
      m.tables.calls.files += 1;
      await writeFile(mpath, JSON.stringify(m));
      const before = await snapshot(out);
      const args = command === 'compact' ? ['compact', '--out', out] : ['export', ...base, ...extra];
      const run = await runMain(args, { env: envFor(sim) });
      expect(run.stderr).toContain('twice');
      expect(run.code).toBe(6);
      expect(await snapshot(out)).toEqual(before);
    },
    60_000,
  );

  it('compact: a file missing a line, the table total forged to match → exit 6, lake unchanged', async () => {
    const sim = await scope.start({ records: 300, seed: 15 });
    const out = await scope.lake();
    const args = ['export', '--out', out, '--format', 'ndjson', '--partition-by', 'none'];
    expect((await runMain(args, { env: envFor(sim) })).code).toBe(0);
    const path = await callsFile(out, '.ndjson');
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
    await writeFile(path, `${lines.slice(1).join('\n')}\n`);
    const mpath = join(out, '_manifest.json');
    const m = JSON.parse(await readFile(mpath, 'utf8')) as { tables: { calls: { rows: number } } };
    m.tables.calls.rows -= 1;
    await writeFile(mpath, JSON.stringify(m));
    const before = await snapshot(out);
    const run = await runMain(['compact', '--out', out, '--partition-by', 'year']);
    expect(run.stderr).toContain('rows but the manifest lists');
    expect(run.code).toBe(6);
    expect(await snapshot(out)).toEqual(before);
    const [n] = await duck(`SELECT count(*) AS n FROM read_ndjson_auto('${out}/calls/*.ndjson')`);
    expect(Number(n!['n'])).toBe(299);
  }, 60_000);
});

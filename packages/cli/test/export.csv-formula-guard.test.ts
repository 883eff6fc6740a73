/**
 * Issue 13.5: `--csv-formula-guard` reaches the CSV sink. Text cells starting with `=`, `+`, `-`,
 * `@`, tab or CR get a `'` prefix (OWASP CSV injection) only when the flag is given; numbers are
 * never prefixed; without the flag the cells are the values as sent. Read back with csv-parse.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { envFor, listFiles, runMain, simulator, tempDir } from './helpers.js';

/** One dangerous start per call, in `bot_name` (a text column). */
const FORMULAS = ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1:A9)', '\tTAB', '\rCR'];

let sim: RunningSimulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const c of cleanups.splice(0)) await c();
});

/** Every `calls` row of the CSV dataset in `out`, parsed by csv-parse, keyed by id. */
async function csvCalls(out: string): Promise<Map<number, Record<string, string>>> {
  const rows = new Map<number, Record<string, string>>();
  for (const date of await readdir(join(out, 'calls'))) {
    if (!date.startsWith('month=')) continue;
    for (const file of await readdir(join(out, 'calls', date))) {
      const records = parse(await readFile(join(out, 'calls', date, file), 'utf8'), {
        columns: true,
      }) as Record<string, string>[];
      for (const r of records) rows.set(Number(r['id']), r);
    }
  }
  return rows;
}

async function exportCsv(flags: string[]): Promise<Map<number, Record<string, string>>> {
  const out = await tempDir('formula');
  cleanups.push(out.remove);
  const run = await runMain(['export', '--out', out.path, '--format', 'csv', '--json', ...flags], {
    env: envFor(sim!),
  });
  expect(run.code, run.stderr).toBe(0);
  return csvCalls(out.path);
}

describe('--csv-formula-guard', () => {
  it('prefixes text cells starting with = + - @ tab CR with a quote; numbers and other text untouched', async () => {
    sim = await simulator({ records: 40 });
    const ids = sim.ids().slice(0, FORMULAS.length);
    for (const [i, id] of ids.entries()) {
      sim.updateCalls([id], (log) => {
        log['bot_name'] = FORMULAS[i];
        log['call_cost'] = -1.5;
      });
    }
    const plain = sim.ids()[FORMULAS.length]!;

    const guarded = await exportCsv(['--csv-formula-guard']);
    const raw = await exportCsv([]);
    ids.forEach((id, i) => {
      expect(guarded.get(id)?.['bot_name'], JSON.stringify(FORMULAS[i])).toBe(`'${FORMULAS[i]}`);
      expect(guarded.get(id)?.['call_cost']).toBe('-1.5');
      // Off by default: the data-lake value as sent (same as NDJSON and Parquet).
      expect(raw.get(id)?.['bot_name']).toBe(FORMULAS[i]);
    });
    expect(guarded.get(plain)?.['bot_name']).toBe(raw.get(plain)?.['bot_name']);
    expect(guarded.get(plain)?.['bot_name']).not.toMatch(/^'/);
  });

  it('with another --format: exit 2 naming the flag, before any request or write', async () => {
    sim = await simulator({ records: 10 });
    const out = await tempDir('formula-usage');
    cleanups.push(out.remove);
    const run = await runMain(['export', '--out', out.path, '--format', 'parquet', '--csv-formula-guard'], {
      env: envFor(sim),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--csv-formula-guard');
    expect(sim.stats.requests).toBe(0);
    expect(await listFiles(out.path)).toEqual([]);
  });
});

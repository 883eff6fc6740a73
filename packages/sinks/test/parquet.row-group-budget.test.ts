/**
 * Issue 21 (memory): the row values Parquet writers buffer between row groups are bounded in
 * bytes across every open writer of a run, not per file, and counted as V8 holds them
 * (two-byte text twice its length). Files are read back with DuckDB: the bound changes where
 * row groups end, never what the files hold.
 */

import { once } from 'node:events';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { bufferedValueBytes, createParquetWriter, RowGroupBudget } from '@omnidim-stream/sinks/parquet';
import type { Row } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeDatasetOptions } from '../src/dataset-options.js';
import { loadWriterFactory } from '../src/dataset-writers.js';
import { ALL_TYPES_SCHEMA, duck, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('budget');
});
afterAll(async () => dir.remove());

function rows(from: number, count: number, text: string): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    id: from + i,
    score: i / 2,
    ok: i % 2 === 0,
    text: `${text}${i}`,
    at: new Date(Date.UTC(2026, 0, 1, 0, i)),
    payload: '{}',
  }));
}

async function writeAll(writer: ReturnType<typeof createParquetWriter>, batches: Row[][]): Promise<void> {
  for (const batch of batches) if (!writer.writeRows(batch)) await once(writer, 'drain');
}

async function rowGroups(path: string): Promise<number> {
  const [r] = await duck(`SELECT count(DISTINCT row_group_id)::INT AS n FROM parquet_metadata('${path}')`);
  return r!['n'] as number;
}

describe('Parquet row-group budget', () => {
  it('counts two-byte text at two bytes per UTF-16 unit, Latin-1 text at one', () => {
    // 10 units + the 8-byte slot: 'é' (U+00E9) is Latin-1, 'ह' (U+0939) is not.
    expect(bufferedValueBytes('é'.repeat(10))).toBe(18);
    expect(bufferedValueBytes('ह'.repeat(10))).toBe(28);
    expect(bufferedValueBytes(`${'a'.repeat(9)}🚀`)).toBe(30);
  });

  it('keeps what all writers sharing it buffer under the limit, flushing the largest', async () => {
    const limit = 40_000;
    const budget = new RowGroupBudget(limit);
    const big = join(dir.path, 'big.parquet');
    const small = join(dir.path, 'small.parquet');
    // Each alone stays under the per-file rowGroupBytes (1 MiB): only the shared budget flushes.
    const a = createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination: big, rowGroupBudget: budget });
    const b = createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination: small, rowGroupBudget: budget });
    const longText = 'ह'.repeat(1_000); // 2 KB a row as V8 holds it
    for (let i = 0; i < 30; i++) {
      await writeAll(a, [rows(i * 2, 2, longText)]);
      await writeAll(b, [rows(1_000 + i, 1, 'short')]);
    }
    a.end();
    b.end();
    await Promise.all([finished(a), finished(b)]);
    expect(budget.peak).toBeLessThanOrEqual(limit);
    expect(budget.peak).toBeGreaterThan(limit / 2);
    expect(budget.used).toBe(0);
    // 60 rows of ~2 KB through a 40 KB budget: the big file was cut into several row groups;
    // the small one (never the largest) kept one.
    expect(await rowGroups(big)).toBeGreaterThanOrEqual(3);
    expect(await rowGroups(small)).toBe(1);
    const [got] = await duck(
      `SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS ids, min(length(text))::INT AS len FROM '${big}'`,
    );
    expect(got).toEqual({ n: 60, ids: 60, len: 1_001 });
    expect(await duck(`SELECT count(*)::INT AS n FROM '${small}'`)).toEqual([{ n: 30 }]);
  });

  it("a dataset's writers share one budget of rowGroupBytes across tables", async () => {
    const o = normalizeDatasetOptions({ out: dir.path, format: 'parquet', rowGroupBytes: 30_000 });
    const factory = await loadWriterFactory(o);
    const paths = [join(dir.path, 'one.parquet'), join(dir.path, 'two.parquet')];
    const writers = paths.map((p) => factory(ALL_TYPES_SCHEMA, p));
    // 10 rows of ~1 KB each: ~10.6 KB per file, under 30 KB alone, ~21 KB together... and then
    // a second round takes the pair over the budget while neither file alone reaches it.
    for (let round = 0; round < 2; round++) {
      for (const [i, w] of writers.entries()) {
        if (!w.writeRows(rows(i * 100 + round * 10, 10, 'x'.repeat(1_000)))) await once(w, 'drain');
      }
    }
    for (const w of writers) w.end();
    await Promise.all(writers.map((w) => finished(w)));
    const groups = await Promise.all(paths.map(rowGroups));
    expect(groups[0]! + groups[1]!).toBeGreaterThan(2);
    for (const p of paths) expect(await duck(`SELECT count(*)::INT AS n FROM '${p}'`)).toEqual([{ n: 20 }]);
  });
});

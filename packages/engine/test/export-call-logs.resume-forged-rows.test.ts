/**
 * A forged `_checkpoint.json` whose row counts do not match its files (a closed NDJSON part
 * file's `rows` raised by one, its bytes and sha256 untouched): the resumed run used to adopt it
 * and commit a manifest whose row count for that file (and table) was not the file's. Now the
 * staging dir is discarded (a `discard` event says why) and the rerun exports every call again:
 * the manifest's rows are the files' own lines, every call once (read back by DuckDB).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetCheckpoint, DatasetManifest } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { type ExportEvent, exportCallLogs } from '../src/index.js';
import { duck, engineScope } from './helpers.js';

describe('a checkpoint forged to other row counts is not resumed', () => {
  const scope = engineScope();

  it.each([
    ['the file entry and its table count raised together', true, /does not hold the \d+ rows/],
    ['the file entry alone (the table count no longer its files’ sum)', false, /no usable _checkpoint\.json/],
  ])(
    '%s: discarded, the rerun exports every call once, the manifest rows are the files’ lines',
    async (_label, table, reason) => {
      const sim = await scope.start({ records: 300, seed: 61 });
      const out = await scope.lake();
      const base = {
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        outDir: out,
        format: 'ndjson' as const,
        pageSize: 20,
        concurrency: 1,
        checkpointPages: 1,
        rowsPerFile: 15,
        workers: 0,
      };
      const abort = new AbortController();
      let checkpoints = 0;
      await expect(
        exportCallLogs({
          ...base,
          signal: abort.signal,
          onEvent: (e) => {
            if (e.type === 'checkpoint' && ++checkpoints === 4) abort.abort();
          },
        }),
      ).rejects.toThrow();
      const [run] = await readdir(join(out, '_staging'));
      const path = join(out, '_staging', run!, '_checkpoint.json');
      const checkpoint = JSON.parse(await readFile(path, 'utf8')) as DatasetCheckpoint;
      const forged = checkpoint.files.find((f) => f.name.endsWith('.ndjson'))!;
      forged.rows += 1;
      if (table) checkpoint.rows[forged.table] = (checkpoint.rows[forged.table] ?? 0) + 1;
      await writeFile(path, JSON.stringify(checkpoint));

      const discards: string[] = [];
      const onEvent = (e: ExportEvent) => {
        if (e.type === 'discard') discards.push(e.reason);
      };
      const result = await exportCallLogs({ ...base, onEvent });
      expect(result.resumedFrom).toBeNull();
      expect(discards.join('\n')).toMatch(reason);
      const manifest = JSON.parse(await readFile(join(out, '_manifest.json'), 'utf8')) as DatasetManifest;
      for (const f of manifest.files) {
        const lines = (await readFile(join(out, f.path), 'utf8')).split('\n').length - 1;
        expect(lines, f.path).toBe(f.rows);
      }
      const [row] = await duck(
        `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_json('${out}/calls/**/*.ndjson', format = 'newline_delimited', hive_partitioning = false)`,
      );
      expect([Number(row!['n']), Number(row!['d'])]).toEqual([300, 300]);
    },
  );
});

/**
 * Merge-on-write on an object store (issues 16 and 18), against s3rver on 127.0.0.1 behind the
 * harness proxy: five incremental runs at the default month grain with the state in the bucket,
 * new calls arriving and recent calls filled in late (recording, webhook status). A run's working
 * copy holds no data, so each run must fetch the month partitions it rewrites from the bucket,
 * and only those. The bucket is read back from s3rver's own store and checked with DuckDB
 * against the simulator.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '@omnidim-stream/simulator';
import type { DatasetManifest } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { checkDataset, compareIds } from './harness/dataset.js';
import { fillInLater } from './harness/late-fill.js';
import { runCliInProcess } from './harness/run-cli.js';
import { s3Scope } from './harness/s3-scope.js';
import { exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS } from './harness/settings.js';

const scope = s3Scope();
const PREFIX = 'merge';

/** The bucket's objects under the prefix, downloaded; with its manifest. */
async function snapshot(): Promise<{ dir: string; keys: string[]; manifest: DatasetManifest }> {
  const dir = await tempDir('s3-merge');
  scope.cleanups.push(dir.remove);
  const keys = await scope.server.download(PREFIX, dir.path);
  const manifest = JSON.parse(await readFile(join(dir.path, '_manifest.json'), 'utf8')) as DatasetManifest;
  return { dir: dir.path, keys, manifest };
}

/** `table/month=…` of a data file's key. */
const partitionOf = (key: string) => key.split('/').slice(0, 2).join('/');

describe('merge-on-write on s3 (the default month grain)', () => {
  it(
    'five incremental runs: every call once in its latest version; each run rewrote only the partitions of its lookback window and read only calls files elsewhere',
    async () => {
      // 400 calls ~4 h apart: about 66 days, three months and more.
      const sim = await startSimulator({ seed: 11, records: 400, apiKey: LEAK_KEY });
      scope.sim = sim;
      const argv = [
        ...exportArgv({ out: `s3://lake/${PREFIX}`, format: 'parquet', baseUrl: sim.url, pageSize: 40 }),
        ...['--s3-endpoint', scope.server.endpoint, '--s3-force-path-style'],
        ...['--state', '--lookback', '24h'],
      ];
      const expected = new Map<number, string>();
      let previous: DatasetManifest | undefined;
      for (let run = 1; run <= 5; run++) {
        const hint = `run ${run}`;
        const pagesBefore = sim.stats.pagesRequested.length;
        const requestsBefore = scope.server.requests.length;
        const result = await runCliInProcess(argv, keyEnv());
        expect(result.code, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout).mode, hint).toBe(run === 1 ? 'full' : 'incremental');
        const { dir, keys, manifest } = await snapshot();
        const reader = scope.reader;

        // Month partitions (the default), and the objects under the prefix are the manifest's.
        expect(
          manifest.files.every((f) => /^\w+\/month=\d{4}-\d{2}-01\/part-/.test(f.path)),
          hint,
        ).toBe(true);
        const control = (k: string) =>
          k === '_manifest.json' || k === '_state.json' || k.endsWith('/_SUCCESS');
        expect(keys.filter((k) => !control(k)).sort(), hint).toEqual(
          manifest.files.map((f) => f.path).sort(),
        );
        await checkDataset(reader, dir, 'parquet', hint);

        // Every call exactly once (DuckDB over the downloaded objects vs the simulator).
        expect(compareIds(sim.ids(), await reader.ids(dir, 'parquet')), hint).toEqual({
          missing: [],
          duplicated: [],
          unexpected: [],
        });
        const hooks = await reader.select(
          dir,
          'parquet',
          'webhooks',
          'count(*) AS n, count(DISTINCT (call_id, id)) AS d',
        );
        expect(Number(hooks[0]!['n']), hint).toBe(Number(hooks[0]!['d']));
        // In its latest version, the calls filled in late included, and their webhooks follow.
        if (expected.size > 0) {
          const list = [...expected.keys()].join(',');
          const rows = await reader.select(dir, 'parquet', 'calls', 'id, recording_url', `id IN (${list})`);
          expect(new Map(rows.map((r) => [Number(r['id']), String(r['recording_url'])])), hint).toEqual(
            expected,
          );
          const statuses = await reader.select(
            dir,
            'parquet',
            'webhooks',
            'DISTINCT call_id, status',
            `call_id IN (${list}) AND status LIKE 'sent-v%'`,
          );
          expect(statuses.length, hint).toBeGreaterThan(0);
          for (const s of statuses) {
            expect(expected.get(Number(s['call_id'])), hint).toContain(
              `/${String(s['status']).slice(5)}.wav`,
            );
          }
        }

        if (run > 1 && previous) {
          // The API: only the lookback window's pages, not the history.
          expect(sim.stats.pagesRequested.length - pagesBefore, hint).toBeLessThanOrEqual(2);
          // The bucket: every data file of the partitions this run rewrote, each once; of the
          // partitions outside its window only `calls` files (read for the ids of calls that
          // moved partition: partition-rewrite.ts), never their child tables.
          // This run's own part files (streamed while written) are read back from the bucket by
          // the rewrite too: they are not the lake's, so they are left out of these counts.
          const own = `part-${manifest.runId}-`;
          const fetched = scope.server.requests
            .slice(requestsBefore)
            .filter((r) => r.startsWith(`GET ${PREFIX}/`) && r.includes('/month=') && !r.includes(own))
            .map((r) => r.slice(`GET ${PREFIX}/`.length));
          const kept = new Set(manifest.files.map((f) => f.path));
          const replaced = previous.files.map((f) => f.path).filter((p) => !kept.has(p));
          expect(fetched.length, hint).toBeGreaterThan(0);
          expect(new Set(fetched).size, hint).toBe(fetched.length);
          const scanned = fetched.filter((p) => !replaced.includes(p));
          expect(fetched.filter((p) => replaced.includes(p)).sort(), hint).toEqual([...replaced].sort());
          expect(
            scanned.filter((p) => !p.startsWith('calls/')),
            hint,
          ).toEqual([]);
          const months = new Set(previous.files.map((f) => partitionOf(f.path)));
          const rewritten = new Set(replaced.map(partitionOf));
          expect(rewritten.size, hint).toBeLessThan(months.size);
        }
        previous = manifest;

        // Between runs: recent calls (inside the lookback window) are filled in, new calls
        // arrive, and a new call changes before the next run first sees it.
        const [window] = await reader.select(
          dir,
          'parquet',
          'calls',
          'epoch_ms(max(time_of_call)) AS newest',
        );
        const cutoff = Number(window!['newest']) - 24 * 3_600_000;
        const inWindow = (
          await reader.select(
            dir,
            'parquet',
            'calls',
            'id',
            `epoch_ms(time_of_call) >= ${cutoff} ORDER BY time_of_call`,
          )
        ).map((r) => Number(r['id']));
        expect(inWindow.length, hint).toBeGreaterThan(2);
        fillInLater(sim, [inWindow[0]!, inWindow.at(-1)!], `v${run}`, expected);
        sim.insertCalls(run * 3);
        fillInLater(sim, [sim.ids()[0]!], `v${run}`, expected);
      }
    },
    SETTINGS.timeoutMs,
  );
});

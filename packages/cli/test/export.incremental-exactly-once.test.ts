import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { fillInLater } from '../../../test/e2e/harness/late-fill.js';
import { duck, envFor, listFiles, problemLines, runMain, simulator, tempDir } from './helpers.js';

interface StateFile {
  lastRunId: string;
  lastMode: string;
  watermark: { newestId: number; newestTime: string };
}

describe('incremental runs (--state/--lookback) keep every call exactly once in its latest version', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it('five runs with new calls arriving and recent calls changing: DuckDB sees each call once, latest values', async () => {
    // 300 calls ~4 h apart (about 50 days), 6 to a date.
    sim = await simulator({ records: 300, seed: 11 });
    const dir = await tempDir('incremental');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const statePath = join(out, '_state.json');
    const args = [
      'export',
      '--out',
      out,
      '--state',
      '--lookback',
      '24h',
      '--page-size',
      '40',
      '--concurrency',
      '1',
      '--json',
    ];
    const glob = `read_parquet('${out}/calls/**/*.parquet', hive_partitioning = true)`;
    const webhookGlob = `read_parquet('${out}/webhooks/**/*.parquet', hive_partitioning = true)`;
    const expected = new Map<number, string>();
    let previousState: StateFile | undefined;

    for (let run = 1; run <= 5; run++) {
      const pagesBefore = sim.stats.pagesRequested.length;
      const result = await runMain(args, { env: envFor(sim) });
      expect(problemLines(result.stderr)).toEqual([]);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as {
        mode: string;
        records: number;
        completeness: { missing: number; ended: boolean };
        incremental: { stateWritten: boolean; cutoffDate: string | null };
      };
      expect(summary.mode).toBe(run === 1 ? 'full' : 'incremental');
      expect(summary.incremental.stateWritten).toBe(true);
      expect(summary.completeness).toMatchObject({ ended: true, missing: 0 });

      // Exactly once: as many rows as distinct ids, and exactly the simulator's ids.
      const [counts] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${glob}`);
      const simIds = sim.ids();
      expect(Number(counts!['n'])).toBe(simIds.length);
      expect(Number(counts!['d'])).toBe(simIds.length);
      const ids = (await duck(`SELECT id FROM ${glob} ORDER BY id DESC`)).map((r) => Number(r['id']));
      expect(ids).toEqual(simIds);
      // Webhooks: one row per (call, webhook), no duplicates either.
      const [hooks] = await duck(
        `SELECT count(*) AS n, count(DISTINCT (call_id, id)) AS d FROM ${webhookGlob}`,
      );
      expect(Number(hooks!['n'])).toBe(Number(hooks!['d']));

      // Latest values of every call changed so far.
      if (expected.size > 0) {
        const rows = await duck(
          `SELECT id, recording_url FROM ${glob} WHERE id IN (${[...expected.keys()].join(',')})`,
        );
        const got = new Map(rows.map((r) => [Number(r['id']), String(r['recording_url'])]));
        expect(got).toEqual(expected);
        const statuses = await duck(
          `SELECT DISTINCT call_id, status FROM ${webhookGlob} WHERE call_id IN (${[...expected.keys()].join(',')}) AND status LIKE 'sent-v%'`,
        );
        for (const s of statuses) {
          expect(expected.get(Number(s['call_id']))).toContain(`/${String(s['status']).slice(5)}.wav`);
        }
      }

      // The state advanced to this run and the newest call.
      const state = JSON.parse(await readFile(statePath, 'utf8')) as StateFile;
      expect(state.watermark.newestId).toBe(simIds[0]);
      // An incremental run reads only the first pages (the lookback window), not the history,
      // and not the whole month partitions it rewrites either (issue 16: merge-on-write): those
      // hold more calls than its pages carried, and every one of them is still in the lake once.
      if (run > 1 && previousState) {
        const pages = sim.stats.pagesRequested.length - pagesBefore;
        expect(pages).toBeLessThanOrEqual(2);
        const cutoff = Date.parse(previousState.watermark.newestTime) - 24 * 3_600_000;
        const [touched] = await duck(
          `SELECT count(*) AS n FROM ${glob} WHERE month IN (SELECT month FROM ${glob} WHERE epoch_ms(time_of_call) >= ${cutoff})`,
        );
        expect(Number(touched!['n'])).toBeGreaterThan(pages * 40);
      }
      if (previousState) expect(state.lastRunId).not.toBe(previousState.lastRunId);
      previousState = state;
      expect(
        (await listFiles(out))
          .filter((f) => f.startsWith('calls/'))
          .every((f) => /^calls\/(month=\d{4}-\d{2}-01\/part-|_SUCCESS)/.test(f)),
      ).toBe(true);
      // No staging, lock or temp file is left behind.
      const leftovers = (await listFiles(out)).filter((f) => f.startsWith('_staging') || f === '_lock');
      expect(leftovers).toEqual([]);

      // Between runs: new calls arrive, and recent calls (inside the lookback window, including
      // its oldest call) get their recording and webhook status. The window is exactly the
      // lookback (issue 16: merge-on-write needs no whole dates re-read).
      const [window] = await duck(`SELECT epoch_ms(max(time_of_call)) AS newest FROM ${glob}`);
      const cutoff = Number(window!['newest']) - 24 * 3_600_000;
      const inWindow = (
        await duck(
          `SELECT id FROM ${glob} WHERE epoch_ms(time_of_call) >= ${cutoff} ORDER BY time_of_call ASC`,
        )
      ).map((r) => Number(r['id']));
      expect(inWindow.length).toBeGreaterThan(2);
      const changed = [inWindow[0]!, inWindow[Math.floor(inWindow.length / 2)]!, inWindow.at(-1)!];
      fillInLater(sim, changed, `v${run}`, expected);
      sim.insertCalls(run * 3);
      // A new call changes too, before the next run first sees it.
      fillInLater(sim, [sim.ids()[0]!], `v${run}`, expected);
    }
  });

  it('a state written with other flags is a usage error (exit 2) naming --full; --full starts over', async () => {
    sim = await simulator({ records: 60 });
    const dir = await tempDir('incremental-mismatch');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const first = await runMain(['export', '--out', out, '--state', '--format', 'ndjson'], {
      env: envFor(sim),
    });
    expect(first.code).toBe(0);
    const manifest = await readFile(join(out, '_manifest.json'), 'utf8');
    const requests = sim.stats.requests;
    const other = await runMain(['export', '--out', out, '--state', '--format', 'csv'], { env: envFor(sim) });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--format ndjson');
    expect(other.stderr).toContain('--full');
    expect(sim.stats.requests).toBe(requests);
    expect(await readFile(join(out, '_manifest.json'), 'utf8')).toBe(manifest);
    const full = await runMain(['export', '--out', out, '--state', '--format', 'csv', '--full', '--json'], {
      env: envFor(sim),
    });
    expect(problemLines(full.stderr)).toEqual([]);
    expect(full.code).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({ mode: 'full', records: 60 });
    const [row] = await duck(
      `SELECT count(DISTINCT id) AS d, count(*) AS n FROM read_csv('${out}/calls/**/*.csv')`,
    );
    expect([Number(row!['n']), Number(row!['d'])]).toEqual([60, 60]);
  });

  it('bad --lookback and --state with --since are usage errors before any request', async () => {
    sim = await simulator({ records: 10 });
    const dir = await tempDir('incremental-usage');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const bad = await runMain(['export', '--out', out, '--lookback', '3 weeks'], { env: envFor(sim) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--lookback');
    const mixed = await runMain(['export', '--out', out, '--state', '--since', '2025-01-01'], {
      env: envFor(sim),
    });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--since');
    expect(sim.stats.requests).toBe(0);
    expect(await listFiles(dir.path)).toEqual([]);
  });
});

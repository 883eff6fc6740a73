/**
 * Security check (issue 7): paths are built only from table names and dates the code formats
 * itself. Call logs with hostile values (`../` in bot_name and other text fields, a crafted
 * time_of_call) cannot write outside --out: every file written is listed, all under --out,
 * in `<table>/month=YYYY-MM-01|__HIVE_DEFAULT_PARTITION__/` (the default grain) or a `_`/raw file
 * of the dataset.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader, FORMATS, listFiles } from './harness/dataset.js';
import { expectLakeUnchanged, snapshotLake } from './harness/lake-snapshot.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SETTINGS, scenarioSeed } from './harness/settings.js';

/** Where the simulator's hostile values point (odd-records.ts HOSTILE). */
const ESCAPE_TARGET = '/tmp/omnidim-escape';
const DATA_FILE =
  /^(calls|interactions|function_calls|webhooks)\/month=(\d{4}-\d{2}-01|__HIVE_DEFAULT_PARTITION__)\/[^/]+$/;

let reader: DuckReader;
let sim: RunningSimulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
});
afterAll(() => reader.close());
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('security: path safety', () => {
  it.each(FORMATS)(
    '%s: hostile values in call logs write nothing outside --out',
    async (format) => {
      sim = await startSimulator({
        seed: scenarioSeed(8),
        records: SETTINGS.records,
        apiKey: LEAK_KEY,
        oddRecords: { rate: 0.3, shapes: ['hostile-paths'] },
      });
      const expected = sim.ids();
      const escapeExisted = existsSync(ESCAPE_TARGET);
      const dir = await tempDir(`paths-${format}`);
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;

      const run = await runCliInProcess(
        exportArgv({ out, format, baseUrl: sim.url, pageSize: SETTINGS.pageSize, extra: ['--raw'] }),
        keyEnv(),
      );

      const hint = `${describeRun(run)} ${replayHint()}`;
      expect(run.code, hint).toBe(0);
      const written = await listFiles(dir.path);
      expect(
        written.filter((f) => !f.startsWith('lake/')),
        hint,
      ).toEqual([]);
      const unexpected = written
        .map((f) => f.slice('lake/'.length))
        .filter(
          (f) =>
            !DATA_FILE.test(f) &&
            !/^_[^/]*$/.test(f) &&
            !/^(calls|interactions|function_calls|webhooks)\/_[^/]*$/.test(f) &&
            !/^raw\/[^/]+$/.test(f),
        );
      expect(unexpected, hint).toEqual([]);
      expect(existsSync(ESCAPE_TARGET), hint).toBe(escapeExisted);
      await checkDataset(reader, out, format, hint);
      // The hostile calls are exported (their crafted time_of_call lands in the default partition).
      expect(compareIds(expected, await reader.ids(out, format)), hint).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    },
    SETTINGS.timeoutMs,
  );

  it('a link planted as a partition the next --state run does not touch: exit 6 before any request', async () => {
    sim = await startSimulator({ seed: scenarioSeed(9), records: 60, apiKey: LEAK_KEY });
    const dir = await tempDir('paths-partition-link');
    cleanups.push(dir.remove);
    const out = `${dir.path}/lake`;
    const argv = exportArgv({ out, format: 'ndjson', baseUrl: sim.url, pageSize: 25, extra: ['--state'] });
    const first = await runCliInProcess(argv, keyEnv());
    expect(first.code, describeRun(first)).toBe(0);
    // Hostile review (repro/files.sh partition): the oldest partition swapped for a link outside.
    const victim = `${dir.path}/victim`;
    await mkdir(victim);
    await writeFile(`${victim}/victim.ndjson`, '{"id":1}\n');
    const oldest = `${out}/calls/${(await readdir(`${out}/calls`)).filter((n) => n.startsWith('month=')).sort()[0]}`;
    await rm(oldest, { recursive: true });
    await symlink(victim, oldest);
    const lake = await snapshotLake(out);
    const victimBefore = await snapshotLake(victim);
    const requests = sim.stats.requests;

    const run = await runCliInProcess(argv, keyEnv());
    const hint = describeRun(run);
    expect(run.code, hint).toBe(6);
    expect(run.stderr, hint).toContain(`${oldest} is a symbolic link`);
    expect(sim.stats.requests, hint).toBe(requests);
    await expectLakeUnchanged(lake, out, undefined, hint);
    await expectLakeUnchanged(victimBefore, victim, undefined, hint);
  });
});

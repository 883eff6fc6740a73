/**
 * Hostile cases from the review of 2026-12-01: ENOSPC while part files are kept open across checkpoints (plain NDJSON/CSV). A run
 * with a checkpoint every page fills a 16 MB tmpfs, exits 6; the filler is removed and the same
 * command is rerun: it must exit 0 with every call once (resumed or started over).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader } from './harness/dataset.js';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS, scenarioSeed } from './harness/settings.js';
import { mountTmpfs, tmpfsUnavailable } from './harness/tmpfs.js';

const cannotMount = await tmpfsUnavailable('disk-full tests with growing part files');

let reader: DuckReader;
const sims: RunningSimulator[] = [];
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
});
afterAll(() => reader.close());
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(cannotMount !== undefined)('disk full with growing part files, then rerun', () => {
  it.each([
    { format: 'ndjson', fillerKiB: 14800 },
    { format: 'csv', fillerKiB: 15000 },
  ] as const)(
    '$format, $fillerKiB KiB filler',
    async ({ format, fillerKiB }) => {
      const dir = await tempDir(`r28-full-${format}`);
      cleanups.push(dir.remove);
      const volume = join(dir.path, 'vol');
      await mkdir(volume);
      const why = mountTmpfs(volume, '16m');
      if (why !== undefined) throw new Error(`cannot mount a tmpfs: ${why}`);
      cleanups.push(async () => {
        execFileSync('umount', [volume]);
      });
      const out = join(volume, 'lake');
      await writeFile(join(volume, 'filler'), Buffer.alloc(fillerKiB * 1024, 1));
      const big = await startSimulator({ seed: scenarioSeed(32), records: 600, apiKey: LEAK_KEY });
      sims.push(big);
      const argv = exportArgv({
        out,
        format,
        baseUrl: big.url,
        pageSize: 25,
        concurrency: 1,
        extra: ['--partition-by', 'day', '--checkpoint-pages', '1'],
      });
      const run = await spawnCli(argv, keyEnv(), ROOT).done;
      expect(run.code, describeRun(run)).toBe(6);
      const staging = await readdir(join(out, '_staging')).catch(() => []);
      await rm(join(volume, 'filler'));
      const rerun = await spawnCli(argv, keyEnv(), ROOT).done;
      const hint = `${describeRun(rerun)} staging after ENOSPC: ${JSON.stringify(staging)}`;
      expect(rerun.code, hint).toBe(0);
      await checkDataset(reader, out, format, hint);
      expect(compareIds(big.ids(), await reader.ids(out, format)), hint).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    },
    SETTINGS.timeoutMs,
  );
});

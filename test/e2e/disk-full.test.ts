/**
 * Issue 12, requirement 3: the disk fills up while a run stages its files. A 2 MB tmpfs holds a
 * previous lake and a filler file (about half full); an export of 600 calls (several MB in every
 * format) then hits ENOSPC. The run must exit 6 naming ENOSPC (not crash with an unhandled
 * 'error' event, exit 1), release its lock, leave no staging behind, and leave the previous lake
 * byte-for-byte as it was, still readable by DuckDB with every call of the previous run once.
 *
 * Needs root (or a user namespace) to mount a tmpfs; otherwise the tests are skipped, loudly.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../../packages/sinks/test/helpers.js';
import { checkDataset, compareIds, DuckReader, FORMATS } from './harness/dataset.js';
import { ROOT, runCliInProcess, spawnCli } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SETTINGS, scenarioSeed } from './harness/settings.js';
import { mountTmpfs, tmpfsUnavailable } from './harness/tmpfs.js';

const cannotMount = await tmpfsUnavailable('disk-full tests');

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

/** Free space left for the run: the half-full volume, and a fuller one (ENOSPC elsewhere). */
const FILLERS = [1024, 1500];
const CASES = FORMATS.flatMap((format) => FILLERS.map((fillerKiB) => ({ format, fillerKiB })));

describe.skipIf(cannotMount !== undefined)('disk full while staging', () => {
  it.each(CASES)(
    '$format, $fillerKiB KiB filler: ENOSPC while staging 600 calls exits 6, releases the lock, leaves the previous lake intact',
    async ({ format, fillerKiB }) => {
      const dir = await tempDir(`disk-full-${format}`);
      cleanups.push(dir.remove);
      const volume = join(dir.path, 'vol');
      await mkdir(volume);
      expect(mountTmpfs(volume, '2m')).toBeUndefined();
      cleanups.push(async () => {
        execFileSync('umount', [volume]);
      });
      const out = join(volume, 'lake');

      const small = await startSimulator({ seed: scenarioSeed(31), records: 20, apiKey: LEAK_KEY });
      sims.push(small);
      const previous = await runCliInProcess(
        // Day partitions, as when this test was written: 600 calls are then several MB in every
        // format (month partitions, the default since issue 16, hold them in under one).
        exportArgv({ out, format, baseUrl: small.url, pageSize: 10, extra: ['--partition-by', 'day'] }),
        keyEnv(),
      );
      expect(previous.code, describeRun(previous)).toBe(0);
      // The previous lake plus a filler file beside it (1 MiB: about half the volume).
      await writeFile(join(volume, 'filler'), Buffer.alloc(fillerKiB * 1024, 1));
      const before = await snapshot(out);

      const big = await startSimulator({ seed: scenarioSeed(32), records: 600, apiKey: LEAK_KEY });
      sims.push(big);
      // Its own process, as shipped: an unhandled 'error' event would end it with exit 1.
      const argv = exportArgv({
        out,
        format,
        baseUrl: big.url,
        pageSize: 50,
        extra: ['--partition-by', 'day'],
      });
      const run = await spawnCli(argv, keyEnv(), ROOT).done;
      const hint = `${describeRun(run)} ${replayHint()}`;
      expect(run.code, hint).toBe(6);
      expect(run.stderr, hint).toMatch(/ENOSPC/);
      expect(run.stderr, hint).not.toMatch(/Unhandled|at .*\.js:\d+/);
      const after = await snapshot(out);
      expect(
        Object.keys(after).filter((f) => f === '_lock' || f.startsWith('_staging')),
        hint,
      ).toEqual([]);
      expect(after, hint).toEqual(before);
      await checkDataset(reader, out, format, hint);
      expect(compareIds(small.ids(), await reader.ids(out, format)), hint).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    },
    SETTINGS.timeoutMs,
  );
});

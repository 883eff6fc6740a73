/**
 * Object storage under chaos (issue 18), against s3rver on 127.0.0.1 behind the harness proxy
 * (conditional writes as S3 answers them, injected faults): the CLI killed with SIGKILL at random
 * S3 requests and at the commit point, then rerun until it completes; 503 SlowDown and reset
 * connections during upload and commit; uploads that keep failing (incremental runs with the
 * state in the bucket: s3.merge-on-write.test.ts). The bucket is read back from s3rver's own store and checked with the
 * manifest's checksums and DuckDB against the simulator's ids.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '@omnidim-stream/simulator';
import { verifyManifestFiles } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { compareIds } from './harness/dataset.js';
import { randomInt, seededRandom } from './harness/random.js';
import { type CliRun, ROOT, runCliInProcess, type SpawnedCli, spawnCli } from './harness/run-cli.js';
import { expectExactlyTheManifest } from './harness/s3-bucket-check.js';
import { s3Scope } from './harness/s3-scope.js';
import { TEST_SECRET } from './harness/s3-server.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SETTINGS, scenarioSeed } from './harness/settings.js';

const scope = s3Scope();

const S3_FLAGS = () => ['--s3-endpoint', scope.server.endpoint, '--s3-force-path-style'];

/** Downloads `prefix` into a fresh dir; returns the dir and the keys. */
async function snapshot(prefix: string, name: string): Promise<{ dir: string; keys: string[] }> {
  const dir = await tempDir(name);
  scope.cleanups.push(dir.remove);
  return { dir: dir.path, keys: await scope.server.download(prefix, dir.path) };
}

describe('kill -9 at random points, then rerun', () => {
  it(
    'every killed run leaves a readable version; the rerun commits every call exactly once and cleans up',
    async () => {
      const seed = scenarioSeed(18);
      const random = seededRandom(seed);
      scope.sim = await startSimulator({ seed, records: SETTINGS.records, apiKey: LEAK_KEY });
      const prefix = 'kills';
      const argv = [
        ...exportArgv({
          out: `s3://lake/${prefix}`,
          format: 'parquet',
          baseUrl: scope.sim.url,
          pageSize: SETTINGS.pageSize,
        }),
        ...S3_FLAGS(),
        '--checkpoint-pages',
        '3',
      ];
      const env = { ...keyEnv(), ...scope.server.env };
      // A committed previous version, which every killed run must leave readable.
      const first = await runCliInProcess(argv, keyEnv());
      expect(first.code, first.stderr).toBe(0);
      scope.sim.insertCalls(25);
      let previous = await readFile((await scope.server.objects(prefix)).get('_manifest.json') ?? '', 'utf8');

      // Where each run is killed: the commit point itself (its manifest PUT never lands), right
      // after it (the first cleanup DELETE), then at random S3 requests of the run.
      const plans: ((r: { method: string; key: string }, n: number) => boolean)[] = [
        (r) => r.method === 'PUT' && r.key === `${prefix}/_manifest.json`,
        (r) => r.method === 'DELETE' && !r.key.endsWith('_lock') && !r.key.includes('_probe-'),
      ];
      for (let k = 0; k < 3; k++) {
        const point = randomInt(random, 1, 60);
        plans.push((_r, n) => n === point);
      }
      const runs: CliRun[] = [];
      let final: CliRun | undefined;
      for (let attempt = 0; attempt < plans.length + 4 && !final; attempt++) {
        const plan = plans[attempt];
        let current: SpawnedCli | undefined;
        let n = 0;
        scope.server.fault = (r) => {
          n++;
          if (!plan || !current || current.child.exitCode !== null || !plan(r, n)) return undefined;
          current.child.kill('SIGKILL');
          // The request is lost with the process (a reset), so the kill lands before it.
          return 'reset';
        };
        current = spawnCli(argv, env, ROOT);
        const run = await current.done;
        scope.server.fault = undefined;
        runs.push(run);
        const hint = `run ${attempt}: ${describeRun(run)} ${replayHint()}`;
        const { dir } = await snapshot(prefix, 's3-after-run');
        // Whatever the point, the manifest in the bucket names files that are all there, intact.
        expect(await verifyManifestFiles(dir), hint).toEqual([]);
        const manifestText = await readFile(join(dir, '_manifest.json'), 'utf8');
        if (attempt === 0) expect(manifestText, `${hint}: killed at the commit point`).toBe(previous);
        previous = manifestText;
        if (run.signal === 'SIGKILL') continue;
        expect(run.code, hint).toBe(0);
        final = run;
      }
      const hint = `runs: ${runs.map(describeRun).join(' | ')} ${replayHint()}`;
      expect(final, hint).toBeDefined();
      expect(runs.filter((r) => r.signal === 'SIGKILL').length, hint).toBeGreaterThanOrEqual(2);
      const { dir } = await expectExactlyTheManifest(scope, prefix, hint);
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(dir, 'parquet')), hint).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
      const keys = [...(await scope.server.objects(prefix)).keys()];
      expect(
        keys.filter((k) => k.startsWith('_staging/') || k === '_lock'),
        hint,
      ).toEqual([]);
      for (const run of runs) expect(run.stderr + run.stdout).not.toContain(TEST_SECRET);
    },
    SETTINGS.timeoutMs,
  );
});

describe('faults from the storage', () => {
  it(
    '503 SlowDown and reset connections during upload and commit are retried: exit 0, every call once',
    async () => {
      scope.sim = await startSimulator({ seed: 31, records: 150, apiKey: LEAK_KEY });
      const prefix = 'faults';
      let n = 0;
      let faulted = 0;
      let manifestFaulted = false;
      scope.server.fault = (r) => {
        n++;
        // The commit point's first attempt fails too; otherwise every third request, alternately.
        if (r.method === 'PUT' && r.key === `${prefix}/_manifest.json` && !manifestFaulted) {
          manifestFaulted = true;
          faulted++;
          return 'slowdown';
        }
        if (n % 3 !== 0) return undefined;
        faulted++;
        return n % 2 === 0 ? 'slowdown' : 'reset';
      };
      const run = await runCliInProcess(
        [
          ...exportArgv({ out: `s3://lake/${prefix}`, format: 'csv', baseUrl: scope.sim.url, pageSize: 10 }),
          ...S3_FLAGS(),
          '--checkpoint-pages',
          '4',
          '--raw',
        ],
        keyEnv(),
      );
      scope.server.fault = undefined;
      expect(run.code, run.stderr).toBe(0);
      expect(manifestFaulted).toBe(true);
      expect(faulted).toBeGreaterThan(10);
      const { dir } = await expectExactlyTheManifest(scope, prefix, describeRun(run));
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(dir, 'csv'))).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    },
    SETTINGS.timeoutMs,
  );

  it(
    'uploads that keep failing: exit 6, the previous version and state byte for byte intact, no upload left open',
    async () => {
      scope.sim = await startSimulator({ seed: 32, records: 60, apiKey: LEAK_KEY });
      const prefix = 'failing';
      const argv = [
        ...exportArgv({ out: `s3://lake/${prefix}`, format: 'ndjson', baseUrl: scope.sim.url, pageSize: 10 }),
        ...S3_FLAGS(),
        '--state',
      ];
      expect((await runCliInProcess(argv, keyEnv())).code).toBe(0);
      scope.sim.insertCalls(10);
      const lake = async () => {
        const objects = await scope.server.objects(prefix);
        const bodies = new Map<string, string>();
        for (const [key, file] of objects) {
          // Checkpoints of the failed run may stay under _staging/ (for its resume): not the lake.
          if (!key.startsWith('_staging/')) bodies.set(key, await readFile(file, 'base64'));
        }
        return bodies;
      };
      const before = await lake();
      expect(before.has('_state.json')).toBe(true);
      scope.server.fault = (r) =>
        r.method === 'PUT' && r.key.startsWith(`${prefix}/calls/`) ? 'reset' : undefined;
      const failed = await runCliInProcess(argv, keyEnv());
      scope.server.fault = undefined;
      expect(failed.code, failed.stderr).toBe(6);
      expect(await lake()).toEqual(before);
      expect(scope.server.unfinishedUploads()).toEqual([]);
      expect(failed.stderr).not.toContain(TEST_SECRET);
    },
    SETTINGS.timeoutMs,
  );
});

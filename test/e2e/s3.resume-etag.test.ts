/**
 * A resumed run on an `s3://` target checks the part objects its checkpoint lists by their ETag,
 * not their size alone: an object replaced since the checkpoint by other bytes of the same size
 * (a second writer, a hand edit, a bucket restored from a backup) would otherwise be committed
 * under the checkpoint's sha256, in a run that exits 0. Against s3rver behind the harness proxy;
 * the bucket is read back from s3rver's own store and the calls counted by DuckDB.
 */
import { readFileSync } from 'node:fs';
import { startSimulator } from '@omnidim-stream/simulator';
import type { DatasetCheckpoint } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { compareIds } from './harness/dataset.js';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { expectExactlyTheManifest } from './harness/s3-bucket-check.js';
import { killAfterCheckpoint } from './harness/s3-killed-run.js';
import { s3NdjsonExportArgv, s3Scope } from './harness/s3-scope.js';
import { describeRun, keyEnv, summaryOf } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS } from './harness/settings.js';

const scope = s3Scope();
const NO_IDS = { missing: [], duplicated: [], unexpected: [] };
/** Pages of the whole list (400 calls, 20 a page): a rerun that starts over fetches them all. */
const PAGES = 20;

/**
 * The export to `prefix`: NDJSON, uncompressed (a replaced object stays well-formed), a checkpoint
 * every 3 pages, part files written on the main thread (`workers` 0) or in worker threads.
 */
function argvOf(prefix: string, workers: number): string[] {
  return s3NdjsonExportArgv(scope, prefix, { workers, pageSize: 20, concurrency: 1, checkpointPages: 3 });
}

const env = () => ({ ...keyEnv(), ...scope.server.env });

/** PUTs `body` at `key` under `prefix` straight to s3rver (another writer); returns the new ETag. */
async function replaceObject(prefix: string, key: string, body: Buffer): Promise<string> {
  const url = `${scope.server.plainEndpoint}/lake/${prefix}/${key}`;
  const put = await fetch(url, { method: 'PUT', body });
  expect(put.status, await put.text()).toBe(200);
  return (await fetch(url, { method: 'HEAD' })).headers.get('etag') ?? '';
}

/**
 * `text` with one call id changed to another of the same length (its last digit): well-formed
 * rows, the same size, other bytes (a commit of them would lose that call).
 */
function withOneIdChanged(text: string, ids: readonly number[]): string {
  for (const id of ids) {
    const at = text.search(new RegExp(`:${id}[,}]`));
    if (at < 0) continue;
    const end = at + 1 + String(id).length;
    const digit = String((Number(text[end - 1]) + 1) % 10);
    return text.slice(0, end - 1) + digit + text.slice(end);
  }
  throw new Error('no simulator id in the part file');
}

/** Reruns the export after the kill; checks it started over with `reason` on stderr and the lake is complete. */
async function expectFreshRerun(prefix: string, workers: number, reason: RegExp): Promise<void> {
  const sim = scope.sim!;
  const pagesBefore = sim.stats.listRequests;
  const rerun = await spawnCli(argvOf(prefix, workers), env(), ROOT).done;
  expect(rerun.code, describeRun(rerun)).toBe(0);
  expect(rerun.stderr).toMatch(reason);
  // Started over: every page fetched again, nothing taken from the checkpoint.
  expect(sim.stats.listRequests - pagesBefore, describeRun(rerun)).toBeGreaterThanOrEqual(PAGES);
  expect(summaryOf(rerun).resumedCalls).toBe(0);
  const { dir } = await expectExactlyTheManifest(scope, prefix, describeRun(rerun));
  expect(compareIds(sim.ids(), await scope.reader.ids(dir, 'ndjson'))).toEqual(NO_IDS);
  expect([...(await scope.server.objects(prefix)).keys()].filter((k) => k.startsWith('_staging/'))).toEqual(
    [],
  );
}

describe('a resumed run checks checkpointed part objects by ETag', () => {
  it.each([0, 2])(
    'workers %i: a part object replaced by other bytes of the same size: the staging dir is discarded (said on stderr), the rerun exports every call again, exit 0, the lake exactly its manifest',
    async (workers) => {
      scope.sim = await startSimulator({ seed: 211 + workers, records: 400, apiKey: LEAK_KEY });
      const prefix = `etag-replaced-${workers}`;
      const killed = await killAfterCheckpoint(scope, argvOf(prefix, workers), env(), prefix);
      const { checkpoint, checkpointed } = killed;
      const index = checkpoint.files.findIndex((f) => f.table === 'calls');
      expect(index).toBeGreaterThanOrEqual(0);
      const key = checkpointed[index]!;
      const objects = await scope.server.objects(prefix);
      const before = readFileSync(objects.get(key)!, 'utf8');
      const changed = withOneIdChanged(before, scope.sim.ids());
      expect(Buffer.byteLength(changed)).toBe(Buffer.byteLength(before));
      const etag = await replaceObject(prefix, key, Buffer.from(changed));
      expect(etag).not.toBe(checkpoint.files[index]!.etag);
      await expectFreshRerun(
        prefix,
        workers,
        /discarding the unfinished run .*was replaced in object storage since its checkpoint \(ETag/,
      );
    },
    SETTINGS.timeoutMs,
  );

  it(
    'workers 2: objects left as they were are adopted (files written in worker threads carry their ETags too): the rerun resumes, fewer pages, every call once',
    async () => {
      scope.sim = await startSimulator({ seed: 215, records: 400, apiKey: LEAK_KEY });
      const prefix = 'etag-kept';
      const { checkpoint } = await killAfterCheckpoint(scope, argvOf(prefix, 2), env(), prefix);
      expect(checkpoint.files.every((f) => typeof f.etag === 'string' && f.etag.length > 2)).toBe(true);
      const pagesBefore = scope.sim.stats.listRequests;
      const rerun = await spawnCli(argvOf(prefix, 2), env(), ROOT).done;
      expect(rerun.code, describeRun(rerun)).toBe(0);
      expect(rerun.stderr).not.toMatch(/discarding/);
      expect(summaryOf(rerun).resumedCalls).toBe(checkpoint.calls);
      expect(scope.sim.stats.listRequests - pagesBefore, describeRun(rerun)).toBeLessThan(PAGES);
      const { dir } = await expectExactlyTheManifest(scope, prefix, describeRun(rerun));
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(dir, 'ndjson'))).toEqual(NO_IDS);
    },
    SETTINGS.timeoutMs,
  );

  it(
    'a checkpoint without ETags (written before they were recorded): not trusted, the staging dir is discarded, every call exported again, exit 0',
    async () => {
      scope.sim = await startSimulator({ seed: 216, records: 400, apiKey: LEAK_KEY });
      const prefix = 'etag-absent';
      const killed = await killAfterCheckpoint(scope, argvOf(prefix, 0), env(), prefix);
      // The previous format: the same checkpoint, its files without `etag`.
      const previous: DatasetCheckpoint = {
        ...killed.checkpoint,
        files: killed.checkpoint.files.map(({ etag: _etag, ...file }) => file),
      };
      await replaceObject(prefix, killed.checkpointKey, Buffer.from(JSON.stringify(previous)));
      await expectFreshRerun(prefix, 0, /discarding the unfinished run .*its checkpoint records no ETag/);
    },
    SETTINGS.timeoutMs,
  );
});

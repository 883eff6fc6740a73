/**
 * Part files of an `s3://` target are streamed to the bucket while they are written (issue 18,
 * "part files streamed"), against s3rver behind the harness proxy: the run's working copy
 * (`TMPDIR`) holds only metadata while the bucket receives the whole output; a part file larger
 * than one multipart part is uploaded in several UploadPart requests while the API is still being
 * paged; a run killed after a checkpoint resumes in a fresh pod (an empty `TMPDIR`) from the
 * bucket's checkpoint without re-uploading its files; faults during a part upload are retried, or
 * fail the run with the upload aborted and the previous version intact.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportCallLogs } from '@omnidim-stream/engine';
import { startSimulator } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { compareIds } from './harness/dataset.js';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { expectExactlyTheManifest } from './harness/s3-bucket-check.js';
import { killAfterCheckpoint } from './harness/s3-killed-run.js';
import { s3Scope } from './harness/s3-scope.js';
import type { S3Request } from './harness/s3-server.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS } from './harness/settings.js';

const scope = s3Scope();
const MiB = 1024 * 1024;
const NO_IDS = { missing: [], duplicated: [], unexpected: [] };

/** Bytes of every file under `dir` right now (what `du` of the working copy would count). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    try {
      total += statSync(join(entry.parentPath, entry.name)).size;
    } catch {
      // Deleted between the listing and the stat (a temp file renamed into place).
    }
  }
  return total;
}

/** {@link bytesUnder} of a directory, the size of a file, 0 for an entry gone since it was listed. */
function bytesOf(entry: string): number {
  try {
    return statSync(entry).isDirectory() ? bytesUnder(entry) : statSync(entry).size;
  } catch {
    return 0;
  }
}

function listUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map(
      (e) => `${join(e.parentPath, e.name).slice(dir.length)} ${statSync(join(e.parentPath, e.name)).size}`,
    )
    .join(', ');
}

/** Runs `exportCallLogs` with `TMPDIR` set to `tmp` (os.tmpdir() reads it on each call). */
async function withTmpdir<T>(tmp: string, run: () => Promise<T>): Promise<T> {
  const before = process.env['TMPDIR'];
  process.env['TMPDIR'] = tmp;
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = before;
  }
}

describe('the working copy holds metadata only', () => {
  it.each([
    { workers: 0, seed: 181, records: 1500, checkpointPages: 5, larger: 16 },
    { workers: 2, seed: 183, records: 900, checkpointPages: 4, larger: 4 },
  ])(
    'workers $workers: an export far larger than the working copy may hold: TMPDIR never above 256 KiB, the bucket has every call',
    async ({ workers, seed, records, checkpointPages, larger }) => {
      scope.sim = await startSimulator({ seed, records, apiKey: LEAK_KEY });
      const tmp = await tempDir('s3-tmpdir');
      scope.cleanups.push(tmp.remove);
      const prefix = `scratch-${workers}`;
      // What the run put in TMPDIR. Worker threads started from the TypeScript sources also put
      // tsx's compile cache there (`tsx-*`; not so from dist/), which is not the run's.
      const runEntries = () =>
        readdirSync(tmp.path)
          .filter((name) => !name.startsWith('tsx-'))
          .map((name) => join(tmp.path, name));
      // Sampled at every request the run sends to the bucket (each upload, each part, each
      // checkpoint): the moments the working copy would hold a file it is uploading.
      let peak = 0;
      let samples = 0;
      let peakFiles = '';
      scope.server.hold = () => {
        const now = runEntries().reduce((sum, entry) => sum + bytesOf(entry), 0);
        if (now > peak)
          peakFiles = runEntries()
            .map((e) => (statSync(e, { throwIfNoEntry: false })?.isDirectory() ? listUnder(e) : e))
            .join(', ');
        peak = Math.max(peak, now);
        samples++;
        return undefined;
      };
      const result = await withTmpdir(tmp.path, () =>
        exportCallLogs({
          apiKey: LEAK_KEY,
          baseUrl: scope.sim!.url,
          outDir: `s3://lake/${prefix}`,
          s3: { endpoint: scope.server.endpoint, forcePathStyle: true },
          format: 'ndjson',
          compression: 'none',
          pageSize: 50,
          checkpointPages,
          workers,
        }),
      );
      scope.server.hold = undefined;
      const { dir, manifest } = await expectExactlyTheManifest(scope, prefix, `samples ${samples}`);
      const output = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
      // The output is far larger than the bound, and the bound held at every sample.
      expect(output).toBeGreaterThan(larger * 256 * 1024);
      expect(samples).toBeGreaterThan(20);
      expect(peak, `peak ${peak} bytes of ${output} written: ${peakFiles}`).toBeLessThanOrEqual(256 * 1024);
      expect(result.outputDir).toBe(`s3://lake/${prefix}`);
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(dir, 'ndjson'))).toEqual(NO_IDS);
    },
    SETTINGS.timeoutMs,
  );
});

describe('multipart while written', () => {
  it(
    'a part file larger than one part goes up in ≥ 2 UploadPart requests, the first while calls are still being written',
    async () => {
      scope.sim = await startSimulator({ seed: 182, records: 3000, apiKey: LEAK_KEY });
      const prefix = 'multipart';
      // Calls that reached the sink's side of the pipeline (the user stage runs just before it),
      // read at every S3 request: an upload after the run's local commit would see them all.
      let staged = 0;
      const order: { key: string; op: string; staged: number }[] = [];
      scope.server.fault = (r: S3Request) => {
        const op = r.query.has('partNumber')
          ? 'UploadPart'
          : r.method === 'POST' && r.query.has('uploadId')
            ? 'Complete'
            : r.method === 'POST' && r.query.has('uploads')
              ? 'Create'
              : `${r.method}`;
        order.push({ key: r.key, op, staged });
        return undefined;
      };
      await exportCallLogs({
        apiKey: LEAK_KEY,
        baseUrl: scope.sim.url,
        outDir: `s3://lake/${prefix}`,
        s3: { endpoint: scope.server.endpoint, forcePathStyle: true, partSize: 5 * MiB },
        format: 'ndjson',
        compression: 'none',
        partitionBy: 'year',
        pageSize: 100,
        checkpointPages: 1000,
        targetFileSize: 64 * MiB,
        // Yields to the event loop once per call: s3rver and the proxy run in this process, and
        // their answers (CreateMultipartUpload's, each part's) need a turn to arrive.
        stage: async (log) => {
          staged++;
          await new Promise((resolve) => setImmediate(resolve));
          return log;
        },
      });
      scope.server.fault = undefined;
      const parts = order.filter((r) => r.op === 'UploadPart');
      const byKey = new Map<string, typeof parts>();
      for (const p of parts) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p]);
      const big = [...byKey].find(([, list]) => list.length >= 2);
      expect(big, JSON.stringify(order.slice(0, 40))).toBeDefined();
      const [key, list] = big!;
      // Streamed: its first part left while calls were still being written (an upload after the
      // run's local commit would see every call staged), and its parts precede its completion.
      expect(
        list[0]!.staged,
        JSON.stringify(order.filter((r) => r.op !== 'GET' && r.op !== 'HEAD')),
      ).toBeLessThan(staged);
      const complete = order.findIndex((r) => r.key === key && r.op === 'Complete');
      expect(complete).toBeGreaterThan(order.indexOf(list[1]!));
      const { dir } = await expectExactlyTheManifest(scope, prefix, key);
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(dir, 'ndjson'))).toEqual(NO_IDS);
    },
    SETTINGS.timeoutMs,
  );
});

/** The objects under `prefix` except `_staging/` (a failed run's checkpoint), base64, by key. */
async function lakeBytes(prefix: string): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  for (const [key, file] of await scope.server.objects(prefix)) {
    if (!key.startsWith('_staging/')) bodies.set(key, readFileSync(file, 'base64'));
  }
  return bodies;
}

describe('a pod killed after a checkpoint', () => {
  it(
    'resumes in a fresh pod (empty TMPDIR) from the bucket checkpoint, uploads none of its files again, every call once, nothing outside the manifest',
    async () => {
      scope.sim = await startSimulator({ seed: 183, records: 400, apiKey: LEAK_KEY });
      const prefix = 'pods';
      const argv = [
        ...exportArgv({
          out: `s3://lake/${prefix}`,
          format: 'parquet',
          baseUrl: scope.sim.url,
          pageSize: 20,
          concurrency: 1,
        }),
        '--s3-endpoint',
        scope.server.endpoint,
        '--s3-force-path-style',
        '--checkpoint-pages',
        '3',
      ];
      const pods = [await tempDir('pod-a'), await tempDir('pod-b')];
      scope.cleanups.push(...pods.map((p) => p.remove));
      const env = (pod: number) => ({ ...keyEnv(), ...scope.server.env, TMPDIR: pods[pod]!.path });
      // Killed at the first part-file upload after its second checkpoint reached the bucket.
      const { checkpoint, checkpointed } = await killAfterCheckpoint(scope, argv, env(0), prefix);
      // Each file's ETag as its upload answered it, to check a resume by: what s3rver serves.
      for (const [i, key] of checkpointed.entries()) {
        const head = await fetch(`${scope.server.plainEndpoint}/lake/${prefix}/${key}`, { method: 'HEAD' });
        expect(checkpoint.files[i]!.etag, key).toBe(head.headers.get('etag'));
      }
      // A kill mid-file leaves a multipart upload open: the next success must abort it.
      await openStrayUpload(prefix);
      expect(scope.server.unfinishedUploads().length).toBeGreaterThan(0);

      // The fresh pod: an empty TMPDIR, the checkpoint only in the bucket.
      expect(readdirSync(pods[1]!.path)).toEqual([]);
      const pagesBefore = scope.sim.stats.listRequests;
      const requestsBefore = scope.server.requests.length;
      const rerun = await spawnCli(argv, env(1), ROOT).done;
      expect(rerun.code, describeRun(rerun)).toBe(0);
      const pages = scope.sim.stats.listRequests - pagesBefore;
      // Resumed: fewer pages than the whole list (20), and no checkpointed file uploaded again.
      expect(pages, describeRun(rerun)).toBeLessThan(20);
      const uploads = scope.server.requests
        .slice(requestsBefore)
        .filter((r) => r.startsWith('PUT ') || r.startsWith('POST '))
        .map((r) => r.slice(r.indexOf(' ') + 1 + prefix.length + 1));
      expect(uploads.filter((k) => checkpointed.includes(k))).toEqual([]);
      const { dir } = await expectExactlyTheManifest(scope, prefix, describeRun(rerun));
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(dir, 'parquet'))).toEqual(NO_IDS);
      expect(
        [...(await scope.server.objects(prefix)).keys()].filter((k) => k.startsWith('_staging/')),
      ).toEqual([]);
    },
    SETTINGS.timeoutMs,
  );
});

/** Starts a multipart upload of a part file under `prefix` and leaves it open (as a kill would). */
async function openStrayUpload(prefix: string): Promise<void> {
  const url = `${scope.server.endpoint}/lake/${prefix}/calls/month=2020-01-01/part-killed-00009.parquet?uploads`;
  const answer = await fetch(url, { method: 'POST' });
  expect(answer.status, await answer.text()).toBe(200);
}

describe('faults during a part upload', () => {
  it(
    'SlowDown and resets on UploadPart are retried (every call once); when they persist the run fails, the upload is aborted and the previous version stays byte for byte',
    async () => {
      scope.sim = await startSimulator({ seed: 184, records: 3000, apiKey: LEAK_KEY });
      const prefix = 'partfaults';
      const options = {
        apiKey: LEAK_KEY,
        baseUrl: scope.sim.url,
        outDir: `s3://lake/${prefix}`,
        s3: { endpoint: scope.server.endpoint, forcePathStyle: true, partSize: 5 * MiB },
        format: 'ndjson' as const,
        compression: 'none',
        partitionBy: 'year' as const,
        pageSize: 100,
        checkpointPages: 0,
        targetFileSize: 64 * MiB,
      };
      // The first attempt of every part fails: SlowDown and reset connections, alternately.
      const tried = new Set<string>();
      let faulted = 0;
      scope.server.fault = (r) => {
        const part = `${r.key}#${r.query.get('partNumber')}`;
        if (!r.query.has('partNumber') || tried.has(part)) return undefined;
        tried.add(part);
        faulted++;
        return faulted % 2 === 0 ? 'slowdown' : 'reset';
      };
      await exportCallLogs(options);
      scope.server.fault = undefined;
      expect(faulted).toBeGreaterThanOrEqual(2);
      const { dir } = await expectExactlyTheManifest(scope, prefix, `faulted ${faulted}`);
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(dir, 'ndjson'))).toEqual(NO_IDS);

      const before = await lakeBytes(prefix);
      scope.sim.insertCalls(5);
      let creates = 0;
      scope.server.fault = (r) => {
        if (r.method === 'POST' && r.query.has('uploads')) creates++;
        return r.query.has('partNumber') ? 'reset' : undefined;
      };
      await expect(exportCallLogs(options)).rejects.toMatchObject({ code: 'SINK' });
      scope.server.fault = undefined;
      expect(creates).toBeGreaterThan(0);
      // Aborted (AbortMultipartUpload seen by the proxy), and nothing of the failed run remains.
      expect(scope.server.unfinishedUploads()).toEqual([]);
      expect(await lakeBytes(prefix)).toEqual(before);
    },
    SETTINGS.timeoutMs,
  );
});

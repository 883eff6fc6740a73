/**
 * What the commit's HEAD check costs on an `s3://` export (sinks' staged-object-check.ts: one
 * HEAD per part object the run streamed, 8 in flight, before the manifest PUT). An export of
 * `--calls` calls from the simulator (0 ms latency) to s3rver on 127.0.0.1, then the same check
 * the commit ran, timed on its own against the committed manifest (`--repeat` times, median),
 * beside the export's wall time. s3rver answers from local disk: a real bucket adds its round trip
 * per HEAD (÷ 8 in flight).
 *
 *   node --conditions=source --import tsx bench/s3-commit-check.ts [--calls 20000] [--format parquet] [--repeat 5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCallLogs } from '@omnidim-stream/engine';
import { startSimulator } from '@omnidim-stream/simulator';
import { type DatasetManifest, openS3Store } from '@omnidim-stream/sinks';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import { checkStreamedParts } from '../packages/sinks/src/staged-object-check.js';
import { flagValue } from './lib/args.js';
import { fmt, printTable } from './lib/table.js';

const KEY = 'AKIABENCHCOMMITCHECK';
const SECRET = 'bench-secret-not-a-real-one-0123456789';
const API_KEY = 'sk-bench-commit-check';

const calls = Number(flagValue('calls', '20000'));
const format = flagValue('format', 'parquet') as 'parquet' | 'ndjson' | 'csv';
const repeat = Number(flagValue('repeat', '5'));

AWSAccount.DUMMY_ACCOUNT.createKeyPair(KEY, SECRET);
const directory = await mkdtemp(join(tmpdir(), 's3rver-bench-'));
const s3rver = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: 'lake' }],
});
const { port } = await s3rver.run();
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: KEY,
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_REGION: 'us-east-1',
});
const s3 = { endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true };
const sim = await startSimulator({ records: calls, seed: 1, apiKey: API_KEY });
try {
  const start = performance.now();
  // s3rver ignores conditional writes: its lock cannot keep two runs apart, this one is alone.
  await exportCallLogs({
    apiKey: API_KEY,
    baseUrl: sim.url,
    outDir: 's3://lake/bench',
    format,
    s3,
    singleWriter: true,
  });
  const exportMs = performance.now() - start;
  const store = await openS3Store('s3://lake/bench', s3);
  const manifest = JSON.parse((await store.get('_manifest.json'))!.body.toString('utf8')) as DatasetManifest;
  const heads = manifest.files.filter((f) => f.runId === manifest.runId).length;
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await checkStreamedParts(store, manifest, () => true);
    times.push(performance.now() - t);
  }
  store.close();
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  printTable(
    "The commit's HEAD check on an s3:// export (s3rver on 127.0.0.1)",
    [
      'calls',
      'format',
      'part objects (HEADs)',
      'check ms (median)',
      'check runs ms',
      'export wall ms',
      'check / export',
    ],
    [
      [
        String(calls),
        format,
        String(heads),
        fmt(median, 1),
        times.map((t) => fmt(t, 1)).join(' '),
        fmt(exportMs),
        `${fmt((100 * median) / exportMs, 2)} %`,
      ],
    ],
  );
} finally {
  await sim.close();
  await s3rver.close();
  await rm(directory, { recursive: true, force: true });
}

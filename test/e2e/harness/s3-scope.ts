/**
 * The per-file setup of the object-storage e2e tests: one S3 test server (s3rver + proxy) and one
 * DuckDB reader for the file, the AWS keys in the process environment (the SDK's chain reads it,
 * as in a real run), and per test a simulator slot and cleanups, reset after each test.
 */
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { DuckReader } from './dataset.js';
import { type S3TestServer, startS3Server } from './s3-server.js';
import { exportArgv } from './scenario.js';

export interface S3Scope {
  server: S3TestServer;
  reader: DuckReader;
  sim: RunningSimulator | undefined;
  cleanups: (() => Promise<void>)[];
}

/** Registers the hooks (call at the top of a test file) and returns the scope they fill in. */
export function s3Scope(): S3Scope {
  const scope = { sim: undefined, cleanups: [] } as unknown as S3Scope;
  beforeAll(async () => {
    scope.server = await startS3Server();
    Object.assign(process.env, scope.server.env);
    scope.reader = await DuckReader.open();
  });
  afterAll(async () => {
    scope.reader.close();
    await scope.server.close();
  });
  afterEach(async () => {
    scope.server.fault = undefined;
    scope.server.hold = undefined;
    await scope.sim?.close();
    scope.sim = undefined;
    for (const c of scope.cleanups.splice(0)) await c();
  });
  return scope;
}

/**
 * The argv of an NDJSON export (uncompressed: a test can replace a part object by other bytes of
 * the same size and keep it well-formed) to `s3://lake/<prefix>` through the scope's proxy, with
 * a checkpoint every `checkpointPages` pages and `workers` worker threads.
 */
export function s3NdjsonExportArgv(
  scope: S3Scope,
  prefix: string,
  o: { workers: number; pageSize: number; concurrency: number; checkpointPages: number },
): string[] {
  return [
    ...exportArgv({
      out: `s3://lake/${prefix}`,
      format: 'ndjson',
      baseUrl: scope.sim!.url,
      pageSize: o.pageSize,
      concurrency: o.concurrency,
      extra: [
        ...['--compression', 'none', '--checkpoint-pages', String(o.checkpointPages)],
        ...['--workers', String(o.workers)],
      ],
    }),
    ...['--s3-endpoint', scope.server.endpoint, '--s3-force-path-style'],
  ];
}

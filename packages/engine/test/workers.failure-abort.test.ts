/**
 * Issue 21: a failing worker or an abort fails the run like the main-thread path does. A worker
 * that throws, at start or later, or whose thread exits (the test hook
 * OMNIDIM_STREAM_TEST_WORKER_FAULT_AFTER, read by flatten-worker.ts) fails the run with code
 * SINK; an abort after a checkpoint fails it with an AbortError. Either way nothing is committed
 * (the previous lake is byte-for-byte as it was) and no worker thread outlives the run (every
 * thread started has exited: `flattenWorkerCounts()`).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { flattenWorkerCounts } from '../src/flatten-workers.js';
import { exportCallLogs } from '../src/index.js';
import { engineScope } from './helpers.js';

const FAULT_ENV = 'OMNIDIM_STREAM_TEST_WORKER_FAULT_AFTER';
const SKEW_ENV = 'OMNIDIM_STREAM_TEST_WORKER_ID_SKEW_AT';

/** sha256 of every file outside `_staging/`: what "the previous lake" is. */
async function snapshot(lake: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(lake, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(lake, join(entry.parentPath, entry.name));
    if (path.startsWith('_staging')) continue;
    out[path] = createHash('sha256')
      .update(await readFile(join(lake, path)))
      .digest('hex');
  }
  return out;
}

describe('a worker failure or an abort commits nothing and leaves no worker', () => {
  const scope = engineScope();
  afterEach(() => {
    delete process.env[FAULT_ENV];
    delete process.env[SKEW_ENV];
  });

  async function previousLake() {
    const sim = await scope.start({ records: 600 });
    const lake = await scope.lake();
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, outDir: lake, pageSize: 50, concurrency: 1 };
    await exportCallLogs({ ...options, workers: 0 });
    return { options, before: await snapshot(lake), lake };
  }

  // The pool does not wait for its workers to start (flatten-workers.ts): a start that fails must
  // still fail the run, through the next dispatch or the flush, and never leave it waiting.
  it.each([
    ['throws after 120 calls', '120', 'injected worker fault after 120 calls'],
    ['fails as it starts', 'start', 'injected worker fault at start'],
    ['exits as it starts', 'exit', 'exited unexpectedly (exit code 7)'],
  ])('a worker that %s: SINK, previous lake intact, no worker left', async (_, fault, message) => {
    const { options, before, lake } = await previousLake();
    process.env[FAULT_ENV] = fault;
    await expect(exportCallLogs({ ...options, workers: 2, checkpointPages: 2 })).rejects.toMatchObject({
      code: 'SINK',
      message: expect.stringContaining(message),
    });
    expect(await snapshot(lake)).toEqual(before);
    expect(flattenWorkerCounts().live).toBe(0);
  });

  // With no call there is no dispatch: the final flush alone must still see the failure.
  it.each(['start', 'exit'])(
    'an empty API and a worker that fails as it starts (%s): SINK, nothing written, no worker left',
    async (fault) => {
      const sim = await scope.start({ records: 0 });
      const lake = await scope.lake();
      process.env[FAULT_ENV] = fault;
      const options = { apiKey: sim.apiKey, baseUrl: sim.url, outDir: lake, pageSize: 50, concurrency: 1 };
      await expect(exportCallLogs({ ...options, workers: 2 })).rejects.toMatchObject({ code: 'SINK' });
      expect(await snapshot(lake).catch(() => ({}))).toEqual({});
      expect(flattenWorkerCounts().live).toBe(0);
    },
  );

  it('a worker that finds another id than the main thread saw (cross-check): INTERNAL, previous lake intact', async () => {
    // The test hook alters the id this thread reports for the 130th call (page 3), as a scan that
    // misread the page would: the worker's parse of the page must refuse to write it.
    const { options, before, lake } = await previousLake();
    process.env[SKEW_ENV] = '130';
    await expect(exportCallLogs({ ...options, workers: 2, checkpointPages: 2 })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('where the main thread saw'),
    });
    expect(await snapshot(lake)).toEqual(before);
    expect(flattenWorkerCounts().live).toBe(0);
  });

  it('aborted after a checkpoint: AbortError, previous lake intact, no worker left', async () => {
    const { options, before, lake } = await previousLake();
    const controller = new AbortController();
    const run = exportCallLogs({
      ...options,
      workers: 2,
      checkpointPages: 2,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'checkpoint') controller.abort();
      },
    });
    // As the main-thread path (export-call-logs.resume-abort.test.ts): the pipeline's AbortError.
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(await snapshot(lake)).toEqual(before);
    expect(flattenWorkerCounts().live).toBe(0);
  });
});

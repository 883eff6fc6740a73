/**
 * Issue 21: a flatten worker thread that cannot be created (`new Worker` throws, as it does when
 * the process is out of threads or memory) fails the run, and the threads the pool had already
 * started are stopped: `runPipeline` never gets the pool, so it cannot terminate them itself.
 * `node:worker_threads` is mocked to make the second `new Worker` throw (nothing else is mocked:
 * the first worker is a real thread).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { flattenWorkerCounts } from '../src/flatten-workers.js';
import { newRunId, runPipeline } from '../src/index.js';

let created = 0;
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class SecondFails extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      if (++created === 2)
        throw Object.assign(new Error('cannot create thread'), { code: 'ERR_WORKER_INIT_FAILED' });
      super(...args);
    }
  }
  return { ...real, Worker: SecondFails };
});

describe('a worker thread that cannot be created', () => {
  it('fails the run and leaves no thread running', async () => {
    const lake = join(await mkdtemp(join(tmpdir(), 'engine-spawn-')), 'lake');
    await expect(
      runPipeline({
        records: async function* () {},
        outDir: lake,
        format: 'parquet',
        tables: ['calls'],
        transform: { timeZone: 'UTC' },
        runId: newRunId(),
        raw: false,
        signal: new AbortController().signal,
        workers: 2,
      }),
    ).rejects.toThrow('cannot create thread');
    await vi.waitFor(() => expect(flattenWorkerCounts()).toEqual({ started: 1, live: 0 }), { timeout: 5000 });
  });
});

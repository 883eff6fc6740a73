/**
 * A run destroyed (a signal) while the checkpoint it was asked for is being written keeps that
 * checkpoint: `_checkpoint.json` may already be visible, so deleting the staging dir would make
 * the next run start over (test/e2e/signals.resume.test.ts hit this under load). Deterministic
 * here: the sink is destroyed in the same tick its checkpoint write starts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointRequest, createDatasetSink } from '@omnidim-stream/sinks';
import { afterEach, describe, expect, it } from 'vitest';
import { simulatedLogs, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('a destroy during a checkpoint', () => {
  it('keeps the checkpoint being written, and the next run resumes from it', async () => {
    const dir = await tempDir('ckpt-destroy');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const logs = [...simulatedLogs(8)];
    const first = createDatasetSink({ out, format: 'ndjson', runId: 'first' });
    first.on('error', () => undefined);
    await first.ready();
    // Each write's callback runs once the sink processed it: nothing is buffered after this.
    for (const log of logs) await new Promise<void>((resolve) => first.write(log, () => resolve()));
    // Not buffered, so its _write (the checkpoint) starts now; the destroy lands while it runs.
    first.write(checkpointRequest({ at: logs.length }));
    first.destroy(new Error('SIGTERM'));
    await new Promise<void>((resolve) => first.once('close', () => resolve()));

    const written = JSON.parse(
      await readFile(join(out, '_staging', 'first', '_checkpoint.json'), 'utf8'),
    ) as {
      calls: number;
    };
    expect(written.calls).toBe(8);
    const second = createDatasetSink({ out, format: 'ndjson', runId: 'second', resume: () => true });
    await second.ready();
    expect(second.resumedFrom?.calls).toBe(8);
    expect(second.resumedFrom?.runId).toBe('first');
    await second.abort();
  });
});

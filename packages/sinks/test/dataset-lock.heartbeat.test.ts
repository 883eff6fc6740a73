import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOmnidimError } from '@omnidim-stream/core';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCK_NAME, LOCK_STALE_AFTER_MS, releaseLock } from '../src/dataset-lock.js';

// Across hosts (a new Kubernetes pod, another VM on the same volume) a pid proves nothing, so a
// lock is judged by its heartbeat: the holder renews the file's mtime, and a lock not renewed
// for LOCK_STALE_AFTER_MS is stale whoever wrote it.
describe('dataset lock: stale rule across hosts', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function lockFrom(host: string, ageMs: number): Promise<string> {
    const out = await mkdtemp(join(tmpdir(), 'omnidim-lock-'));
    dirs.push(out);
    const path = join(out, LOCK_NAME);
    await writeFile(path, JSON.stringify({ pid: 4242, host, runId: 'other-host-run' }));
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
    return out;
  }

  it('refuses a lock another host renewed recently, naming host and run', async () => {
    const out = await lockFrom('pod-abc-123', 60_000);
    const error = await acquireLock(out, 'me').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOmnidimError(error) && error.code).toBe('LOCKED');
    expect((error as Error).message).toContain('pod-abc-123');
    expect((error as Error).message).toContain('other-host-run');
  });

  it('takes over a lock another host stopped renewing, then releases it', async () => {
    const out = await lockFrom('pod-gone-456', LOCK_STALE_AFTER_MS + 60_000);
    await acquireLock(out, 'me');
    const lock = join(out, LOCK_NAME);
    expect(Date.now() - (await stat(lock)).mtimeMs).toBeLessThan(LOCK_STALE_AFTER_MS);
    await releaseLock(out, 'me');
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

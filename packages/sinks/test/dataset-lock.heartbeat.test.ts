import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
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

  async function emptyDir(): Promise<string> {
    const out = await mkdtemp(join(tmpdir(), 'omnidim-lock-'));
    dirs.push(out);
    return out;
  }

  async function lockFrom(
    host: string,
    ageMs: number,
    pid = 4242,
    runId = 'other-host-run',
  ): Promise<string> {
    const out = await emptyDir();
    const path = join(out, LOCK_NAME);
    await writeFile(path, JSON.stringify({ pid, host, runId }));
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
    return out;
  }

  /** Counts heartbeats and lets a test await the next ones (an event, not a sleep). */
  function renewals() {
    let count = 0;
    const waiters: { at: number; resolve: () => void }[] = [];
    return {
      onRenewed: () => {
        count += 1;
        for (const w of waiters.filter((x) => count >= x.at)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      },
      /** Resolves after `n` more renewals have reached the file. */
      next: (n: number) => new Promise<void>((resolve) => waiters.push({ at: count + n, resolve })),
    };
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
    const lock = join(out, LOCK_NAME);
    const stale = (await stat(lock)).mtimeMs;
    await acquireLock(out, 'me');
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ runId: 'me', pid: process.pid });
    expect((await stat(lock)).mtimeMs).toBeGreaterThan(stale);
    await releaseLock(out, 'me');
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // Without the heartbeat, a run longer than 5 minutes would have its lock taken over by the next
  // scheduled run while it is still writing. The renewal interval is injected (20 ms, not 30 s).
  it('a live holder renews its lock, so it does not turn stale while the run goes on', async () => {
    const out = await emptyDir();
    const lock = join(out, LOCK_NAME);
    const beat = renewals();
    await acquireLock(out, 'holder', { heartbeatMs: 20, onRenewed: beat.onRenewed });
    try {
      // As if the last renewal were 6 minutes old: stale, unless the holder renews it again.
      const old = new Date(Date.now() - LOCK_STALE_AFTER_MS - 60_000);
      await utimes(lock, old, old);
      // Two renewals: the second one certainly started after the back-dating above finished.
      await beat.next(2);
      expect((await stat(lock)).mtimeMs).toBeGreaterThan(old.getTime());
      const second = await acquireLock(out, 'second').then(
        () => 'acquired',
        (e: unknown) => (isOmnidimError(e) ? e.code : e),
      );
      expect(second).toBe('LOCKED');
    } finally {
      await releaseLock(out, 'holder');
    }
  }, 5_000);

  it('a lock not renewed for 5 minutes is stale even when its pid is alive on this host', async () => {
    // This very process is the "holder": alive, same host, but frozen (no heartbeat).
    const out = await lockFrom(hostname(), LOCK_STALE_AFTER_MS + 1_000, process.pid, 'frozen-run');
    await acquireLock(out, 'me');
    expect(JSON.parse(await readFile(join(out, LOCK_NAME), 'utf8'))).toMatchObject({ runId: 'me' });
    await releaseLock(out, 'me');
  });

  it('a lock renewed within 5 minutes by a live pid on this host is not stale', async () => {
    const out = await lockFrom(hostname(), LOCK_STALE_AFTER_MS - 60_000, process.pid, 'busy-run');
    const error = await acquireLock(out, 'me').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOmnidimError(error) && error.code).toBe('LOCKED');
    expect((error as Error).message).toContain('busy-run');
  });

  it('refuses a heartbeat that is not faster than the stale limit, naming the option', async () => {
    const out = await emptyDir();
    await expect(acquireLock(out, 'me', { heartbeatMs: LOCK_STALE_AFTER_MS })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      option: 'heartbeatMs',
    });
  });
});

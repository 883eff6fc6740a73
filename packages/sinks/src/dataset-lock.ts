import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SinkError } from '@omnidim-stream/core';

/** Name of the lock file at the dataset root (starts with `_`: never data). */
export const LOCK_NAME = '_lock';

/**
 * Takes `<out>/_lock` (created with O_EXCL). One run at a time may write a dataset, because a
 * starting run cleans up staging files and a committing run deletes files not in its manifest.
 * A lock left by a process that no longer exists on this host (killed run) is taken over.
 */
export async function acquireLock(out: string, runId: string): Promise<void> {
  const path = join(out, LOCK_NAME);
  const body = JSON.stringify({ pid: process.pid, host: hostname(), runId });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(body);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SinkError(`Cannot create ${path}`, { cause: error });
      }
    }
    const holder = await readFile(path, 'utf8')
      .then((t) => JSON.parse(t) as { pid?: unknown; host?: unknown; runId?: unknown })
      .catch(() => ({}) as { pid?: unknown; host?: unknown; runId?: unknown });
    if (holder.host === hostname() && typeof holder.pid === 'number' && isAlive(holder.pid)) {
      throw new SinkError(
        `Another run (pid ${holder.pid}) is writing this dataset; remove ${path} if that is not true`,
      );
    }
    if (holder.host !== undefined && holder.host !== hostname()) {
      throw new SinkError(
        `The dataset is locked by a run on host ${String(holder.host)}; remove ${path} if stale`,
      );
    }
    await unlink(path).catch(() => undefined);
  }
  throw new SinkError(`Cannot take ${path}`);
}

/** Removes the lock if this run still holds it. */
export async function releaseLock(out: string, runId: string): Promise<void> {
  const path = join(out, LOCK_NAME);
  const holder = await readFile(path, 'utf8')
    .then((t) => JSON.parse(t) as { runId?: unknown })
    .catch(() => undefined);
  if (holder?.runId === runId) await unlink(path).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

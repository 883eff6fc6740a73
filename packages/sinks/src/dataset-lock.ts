import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { InvalidOptionError } from '@omnidim-stream/core';
import { datasetPath, errnoOf, FILE_MODE, LOCK_NAME } from './dataset-layout.js';
import { DatasetLockedError, SinkError } from './errors.js';
import { isProcessAlive } from './process-alive.js';

export { LOCK_NAME } from './dataset-layout.js';

/** The stale-lock rule, quoted in every "locked" message so an operator knows what to do. */
export const STALE_LOCK_RULE =
  'a lock is stale, and taken over automatically, when its process no longer exists on the same host, or when its holder (on any host) has not renewed it for 5 minutes; a live run renews it every 30 s';

/**
 * A holder renews the lock's mtime this often, so that a run on another host (a new Kubernetes
 * pod, another VM sharing the volume) can tell a live lock from one left by a killed run: a pid
 * means nothing across hosts, a heartbeat does.
 */
export const LOCK_HEARTBEAT_MS = 30_000;
/** A lock not renewed for this long is stale whatever host wrote it (10 missed heartbeats). */
export const LOCK_STALE_AFTER_MS = 5 * 60_000;

const heartbeats = new Map<string, NodeJS.Timeout>();

/** Heartbeat settings of {@link acquireLock}; injectable so tests need not wait 30 s. */
export interface LockOptions {
  /** How often the holder renews the lock's mtime, ms. Default {@link LOCK_HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** Called after each renewal has reached the file (tests await it instead of sleeping). */
  onRenewed?: () => void;
}

/**
 * Takes `<out>/_lock` (created with O_EXCL). One run at a time may write a dataset, because a
 * starting run cleans up staging files and a committing run deletes files not in its manifest.
 * A lock left by a process that no longer exists on this host (killed run), or not renewed for
 * {@link LOCK_STALE_AFTER_MS} by a holder on any host, is taken over; the holder renews it every
 * {@link LOCK_HEARTBEAT_MS} until {@link releaseLock}. A live holder → {@link DatasetLockedError}
 * (code `LOCKED`), and nothing was written.
 */
export async function acquireLock(out: string, runId: string, options: LockOptions = {}): Promise<void> {
  const heartbeatMs = options.heartbeatMs ?? LOCK_HEARTBEAT_MS;
  // A heartbeat slower than the stale limit would let a live run's lock be taken over.
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 1 || heartbeatMs >= LOCK_STALE_AFTER_MS) {
    throw new InvalidOptionError(
      'heartbeatMs',
      `an integer from 1 to ${LOCK_STALE_AFTER_MS - 1}`,
      heartbeatMs,
    );
  }
  const path = datasetPath(out, LOCK_NAME);
  const body = JSON.stringify({ pid: process.pid, host: hostname(), runId });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', FILE_MODE);
      try {
        await handle.writeFile(body);
      } finally {
        await handle.close();
      }
      startHeartbeat(path, heartbeatMs, options.onRenewed);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SinkError(`Cannot create ${path} (${errnoOf(error)})`, { cause: error });
      }
    }
    const holder = await readHolder(path);
    if (holder === 'young') {
      // Created a moment ago and not written yet (the O_EXCL create and the write are two steps):
      // its owner is alive, so this is a concurrent start, not a stale lock.
      throw new DatasetLockedError(
        `Another run is starting on this dataset right now (lock ${path} just created); this run wrote nothing. Stale-lock rule: ${STALE_LOCK_RULE}`,
        { pid: undefined, host: undefined, runId: undefined },
      );
    }
    const who = {
      pid: typeof holder.pid === 'number' ? holder.pid : undefined,
      host: typeof holder.host === 'string' ? holder.host : undefined,
      runId: typeof holder.runId === 'string' ? holder.runId : undefined,
    };
    const renewedAgo = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => Number.POSITIVE_INFINITY,
    );
    const sameHost = holder.host === hostname();
    const deadHere = sameHost && typeof holder.pid === 'number' && !isProcessAlive(holder.pid);
    if (!deadHere && renewedAgo < LOCK_STALE_AFTER_MS) {
      const where = sameHost ? `host ${hostname()}` : `host ${String(holder.host ?? '?')}`;
      throw new DatasetLockedError(
        `Another run (pid ${who.pid ?? '?'} on ${where}, run ${who.runId ?? '?'}, lock renewed ${Math.round(renewedAgo / 1000)} s ago) holds the dataset lock ${path}; this run wrote nothing. Stale-lock rule: ${STALE_LOCK_RULE}`,
        who,
      );
    }
    // Re-read right before taking over, so a lock another run just took over is not removed.
    const again = await readHolder(path);
    if (again !== 'young' && again.runId === holder.runId && again.pid === holder.pid) {
      await unlink(path).catch(() => undefined);
    }
  }
  throw new DatasetLockedError(
    `Another run took over the stale lock ${path} at the same time; this run wrote nothing. Stale-lock rule: ${STALE_LOCK_RULE}`,
    { pid: undefined, host: undefined, runId: undefined },
  );
}

/** Removes the lock if this run still holds it. */
export async function releaseLock(out: string, runId: string): Promise<void> {
  const path = datasetPath(out, LOCK_NAME);
  stopHeartbeat(path);
  const holder = await readFile(path, 'utf8')
    .then((t) => JSON.parse(t) as { runId?: unknown })
    .catch(() => undefined);
  if (holder?.runId === runId) await unlink(path).catch(() => undefined);
}

type Holder = { pid?: unknown; host?: unknown; runId?: unknown };

/** An unparseable lock younger than this is being written by a live run. */
const YOUNG_LOCK_MS = 10_000;

async function readHolder(path: string): Promise<Holder | 'young'> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Holder;
  } catch {
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => Number.POSITIVE_INFINITY,
    );
    return age < YOUNG_LOCK_MS ? 'young' : {};
  }
}

function startHeartbeat(path: string, intervalMs: number, onRenewed: (() => void) | undefined): void {
  stopHeartbeat(path);
  const timer = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).then(
      () => onRenewed?.(),
      () => undefined,
    );
  }, intervalMs);
  // The heartbeat must never keep a finished process alive.
  timer.unref();
  heartbeats.set(path, timer);
}

function stopHeartbeat(path: string): void {
  const timer = heartbeats.get(path);
  if (timer !== undefined) clearInterval(timer);
  heartbeats.delete(path);
}

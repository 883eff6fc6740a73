/**
 * The dataset lock in an object store (issue 18): `<prefix>/_lock`, beside the data, because a
 * container has no disk between runs. Created with `If-None-Match: *` (exactly one of two runs
 * starting at once gets it), renewed with `If-Match` on its ETag (a run that lost it notices), and
 * taken over with `If-Match` on the stale version's ETag (two runs taking over one stale lock: one
 * wins). The stale rule is the one on disk (dataset-lock.ts), measured on the object's
 * Last-Modified; `singleWriter` (the operator's word that no other run writes there) and a holder
 * that is a dead process on this host take over at once, so a killed pod never blocks the next.
 */
import { hostname } from 'node:os';
import { LOCK_NAME } from './dataset-layout.js';
import { LOCK_HEARTBEAT_MS, LOCK_STALE_AFTER_MS, STALE_LOCK_RULE } from './dataset-lock.js';
import { DatasetLockedError, SinkError } from './errors.js';
import type { ObjectStore, PutCondition } from './object-store.js';
import { isProcessAlive } from './process-alive.js';

/** How {@link acquireObjectLock} may take the lock. */
export interface ObjectLockOptions {
  runId: string;
  /** The store honours conditional writes (see conditional-writes.ts). */
  conditional: boolean;
  /** `--single-writer`: no other run can write here at the same time; take any lock over at once. */
  singleWriter: boolean;
  /** Renewal interval, ms (injectable for tests). Default {@link LOCK_HEARTBEAT_MS}. */
  heartbeatMs?: number | undefined;
  now?: (() => number) | undefined;
}

/** A held lock: renewed in the background until {@link ObjectLock.release}. */
export interface ObjectLock {
  /** Renews the lock now; throws `DatasetLockedError` when another run took it over. */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

interface Holder {
  runId?: unknown;
  pid?: unknown;
  host?: unknown;
  since?: unknown;
}

/**
 * Takes the lock of the dataset in `store`, or throws `DatasetLockedError` (code `LOCKED`, exit 8)
 * naming the holder and the stale-lock rule; nothing was written then.
 *
 * @example
 * const lock = await acquireObjectLock(store, { runId, conditional: true, singleWriter: false });
 * try { … } finally { await lock.release(); }
 */
export async function acquireObjectLock(store: ObjectStore, options: ObjectLockOptions): Promise<ObjectLock> {
  const now = options.now ?? Date.now;
  const body = JSON.stringify({
    runId: options.runId,
    pid: process.pid,
    host: hostname(),
    since: new Date(now()).toISOString(),
  });
  const where = `${store.location}/${LOCK_NAME}`;
  let condition: PutCondition | undefined = options.conditional ? { ifNoneMatch: '*' } : undefined;
  // Two rounds: create; or take over the stale version just read (its ETag as the condition).
  for (let attempt = 0; attempt < 2; attempt++) {
    const put = await store.put(LOCK_NAME, body, condition);
    if (put.ok) return heldLock(store, options, body, put.etag);
    if (put.reason === 'unsupported') {
      throw new SinkError(`${store.location} refused a conditional write of ${where}`);
    }
    if (put.reason === 'conflict') {
      throw new DatasetLockedError(
        `Another run is taking the dataset lock ${where} right now (409 ConditionalRequestConflict); this run wrote nothing. Stale-lock rule: ${STALE_LOCK_RULE}`,
        { pid: undefined, host: undefined, runId: undefined },
      );
    }
    const current = await store.get(LOCK_NAME);
    if (current === undefined) {
      condition = { ifNoneMatch: '*' };
      continue;
    }
    const holder = parseHolder(current.body);
    // Our own create, whose answer was lost (a reset connection) and whose retry got 412.
    if (holder.runId === options.runId && holder.pid === process.pid) {
      return heldLock(store, options, body, current.etag);
    }
    const age = now() - current.lastModified.getTime();
    const sameHost = holder.host === hostname();
    const deadHere = sameHost && typeof holder.pid === 'number' && !isProcessAlive(holder.pid);
    if (!options.singleWriter && !deadHere && age < LOCK_STALE_AFTER_MS) {
      throw new DatasetLockedError(
        `Another run (pid ${String(holder.pid ?? '?')} on host ${String(holder.host ?? '?')}, run ${String(holder.runId ?? '?')}, lock renewed ${Math.round(age / 1000)} s ago) holds the dataset lock ${where}; this run wrote nothing. Stale-lock rule: ${STALE_LOCK_RULE}; with --single-writer the lock is taken over at once`,
        {
          pid: typeof holder.pid === 'number' ? holder.pid : undefined,
          host: typeof holder.host === 'string' ? holder.host : undefined,
          runId: typeof holder.runId === 'string' ? holder.runId : undefined,
        },
      );
    }
    condition = options.conditional ? { ifMatch: current.etag } : undefined;
  }
  throw new DatasetLockedError(
    `Another run took over the stale lock ${where} at the same time; this run wrote nothing. Stale-lock rule: ${STALE_LOCK_RULE}`,
    { pid: undefined, host: undefined, runId: undefined },
  );
}

function heldLock(
  store: ObjectStore,
  options: ObjectLockOptions,
  body: string,
  firstEtag: string,
): ObjectLock {
  let etag = firstEtag;
  let lost: DatasetLockedError | undefined;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (lost) throw lost;
    const put = await store.put(LOCK_NAME, body, options.conditional ? { ifMatch: etag } : undefined);
    if (put.ok) {
      etag = put.etag;
      return;
    }
    lost = new DatasetLockedError(
      `This run lost the dataset lock ${store.location}/${LOCK_NAME} (another run took it over); nothing of this run was committed`,
      { pid: undefined, host: undefined, runId: undefined },
    );
    throw lost;
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew).catch(() => undefined);
  }, options.heartbeatMs ?? LOCK_HEARTBEAT_MS);
  // The heartbeat must never keep a finished process alive.
  timer.unref();
  return {
    confirm: () => {
      renewing = renewing.then(renew);
      return renewing;
    },
    async release(): Promise<void> {
      clearInterval(timer);
      await renewing.catch(() => undefined);
      if (lost) return;
      // Deleted only while it is still ours: a lock another run took over stays.
      const current = await store.get(LOCK_NAME).catch(() => undefined);
      if (current && parseHolder(current.body).runId === options.runId) {
        await store.delete([LOCK_NAME]).catch((error: unknown) => {
          throw error instanceof SinkError ? error : new SinkError('Cannot release the dataset lock');
        });
      }
    },
  };
}

function parseHolder(body: Buffer): Holder {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Holder) : {};
  } catch {
    return {};
  }
}

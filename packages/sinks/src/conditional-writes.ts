/**
 * Whether an object store honours conditional writes (issue 18). AWS S3, MinIO and Cloudflare R2
 * do (`If-None-Match: *` creates only when absent, `If-Match` replaces one version); some
 * S3-compatible servers reject the headers, others silently ignore them, and a lock built on an
 * ignored condition would let two runs write at once. So a run probes before it relies on them.
 */
import { SinkError } from './errors.js';
import type { ObjectStore } from './object-store.js';

/** The probe's verdict: `honoured`, or why the lock cannot rely on the store. */
export type ConditionalWriteSupport = 'honoured' | 'ignored' | 'rejected';

/**
 * Creates a probe object under `_probe-<runId>` with `If-None-Match: *` twice: the first must be
 * written and the second refused (412). A first write that fails means the server rejects the
 * condition; a second one that succeeds means it ignores it. The probe object is deleted.
 *
 * @example
 * if ((await probeConditionalWrites(store, runId)) !== 'honoured') console.warn('no conditional writes');
 */
export async function probeConditionalWrites(
  store: ObjectStore,
  runId: string,
): Promise<ConditionalWriteSupport> {
  const key = `_probe-${runId}`;
  // Any other failure (no access, no such bucket, network) propagates: it is not an answer
  // about conditional writes, and the run must fail on it as it is.
  try {
    const first = await store.put(key, runId, { ifNoneMatch: '*' });
    if (!first.ok) {
      if (first.reason === 'unsupported') return 'rejected';
      throw new SinkError(
        `${store.location}: a new probe object answered ${first.reason} (another run's probe?)`,
      );
    }
    const second = await store.put(key, runId, { ifNoneMatch: '*' });
    if (!second.ok && second.reason === 'unsupported') return 'rejected';
    return second.ok ? 'ignored' : 'honoured';
  } finally {
    await store.delete([key]).catch(() => undefined);
  }
}

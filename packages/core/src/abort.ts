/**
 * Abort plumbing shared by requests and retry sleeps: one signal reaches every await, and an
 * abort always surfaces as {@link AbortError} (code ABORTED).
 */
import { AbortError } from './errors.js';

/** Throws {@link AbortError} if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortError(signal.reason);
}

/**
 * Resolves after `ms`, or rejects with {@link AbortError} as soon as `signal` aborts.
 *
 * @example
 * await abortableSleep(100, AbortSignal.timeout(1000));
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new AbortError(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError(signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

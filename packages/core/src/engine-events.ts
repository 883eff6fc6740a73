/**
 * The engine's one way to report: each event goes to the option hook, then to the listener
 * (stream.ts), after the counters it implies are updated. A deletion (or an unverified boundary)
 * becomes a {@link DriftError} here when `onDeletion` is `'error'`.
 */
import type { EngineListeners } from './engine-page.js';
import { DriftError } from './errors.js';
import type { CallLogStats, DriftEvent, PageEvent, ProgressEvent, RetryEvent } from './events.js';
import type { ResolvedOptions } from './options.js';

/** Emits the engine's events. */
export interface EngineEmitter {
  page(event: PageEvent): void;
  retry(event: RetryEvent): void;
  progress(event: ProgressEvent): void;
  drift(event: DriftEvent): void;
}

/** The emitter of one run. */
export function createEngineEmitter(
  options: ResolvedOptions,
  stats: CallLogStats,
  listeners: EngineListeners,
): EngineEmitter {
  return {
    page: (e) => {
      options.onPage?.(e);
      listeners.page?.(e);
    },
    retry: (e) => {
      stats.retries += 1;
      options.onRetry?.(e);
      listeners.retry?.(e);
    },
    progress: (e) => {
      options.onProgress?.(e);
      listeners.progress?.(e);
    },
    drift: (e) => {
      if (e.kind === 'unverified') stats.unverified += 1;
      options.onDrift?.(e);
      listeners.drift?.(e);
      if (options.onDeletion === 'error' && (e.kind === 'deletion' || e.kind === 'unverified')) {
        throw new DriftError(`${e.detail} (page ${e.page}, ${e.count} call(s))`);
      }
    },
  };
}

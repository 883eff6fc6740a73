/**
 * The request a dataset sink gets, in order with the data, to take over part files a
 * {@link PartsWriter} (a worker thread, issue 21) staged: written before a checkpoint request or
 * the end, it makes those files, calls and rows the run's, exactly as if the sink had written them.
 */
import type { PartsFlush } from './parts-writer.js';

const REQUEST = Symbol.for('omnidim-stream.dataset-adopted-parts');

/** An object written into a dataset sink between FlatCallLogs; see {@link adoptedPartsRequest}. */
export interface AdoptedPartsRequest {
  readonly [REQUEST]: true;
  readonly flush: PartsFlush;
}

/**
 * Wraps what a PartsWriter's `flush()` returned for the sink.
 *
 * @example
 * yield adoptedPartsRequest(await worker.flush()); // from the generator feeding the sink
 */
export function adoptedPartsRequest(flush: PartsFlush): AdoptedPartsRequest {
  return { [REQUEST]: true, flush };
}

/** True for an object made by {@link adoptedPartsRequest}. */
export function isAdoptedPartsRequest(value: unknown): value is AdoptedPartsRequest {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REQUEST] === true;
}

/**
 * A worker thread's failure carried to the main thread with the class and `code` the main-thread
 * path would have thrown (issue 21): a structured clone keeps an Error's message but not its
 * class or `code`. Coded errors keep their code; anything else is what the dataset sink makes of
 * a write failure (`SinkError`, "Cannot write the dataset: …", exit 6 in the CLI).
 */
import { InternalError, isOmnidimError, LimitExceededError } from '@omnidim-stream/core';
import { SinkError } from '@omnidim-stream/sinks';

/** A worker error as plain data. */
export interface SerializedWorkerError {
  code: string;
  message: string;
  /** LimitExceededError's limit. */
  limit?: string;
}

/** In the worker: the error as plain data (see the module comment). */
export function serializeWorkerError(error: unknown): SerializedWorkerError {
  if (error instanceof LimitExceededError) {
    return { code: error.code, message: error.message, limit: error.limit };
  }
  if (isOmnidimError(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'SINK', message: `Cannot write the dataset: ${message}` };
}

/** On the main thread: the error to fail the run with. */
export function deserializeWorkerError(error: SerializedWorkerError): Error {
  if (error.code === 'LIMIT_EXCEEDED' && error.limit !== undefined) {
    const detail = error.message.replace(/^Limit "[^"]*" exceeded: /, '');
    return new LimitExceededError(error.limit, detail);
  }
  // The worker's cross-check of a page against the main thread's reading (flatten-worker.ts).
  if (error.code === 'INTERNAL') return new InternalError(error.message);
  // Otherwise only the sinks' writes run in a worker: SINK is the one other code it can meet.
  return new SinkError(error.message);
}

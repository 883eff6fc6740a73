/**
 * The errors of the sinks package, beside the code that throws them (undici keeps its errors in
 * one file the same way). They extend core's {@link OmnidimError}, so each carries its stable
 * `code` from core's closed union (`SINK`, `LOCKED`) and the brand symbol that keeps
 * `isOmnidimError()` working across two installed copies.
 */
import { isOmnidimError, OmnidimError, type OmnidimErrorOptions } from '@omnidim-stream/core';

/** A failure while writing output files (code `SINK`, exit 6 in the CLI). */
export class SinkError extends OmnidimError {
  constructor(detail: string, options: OmnidimErrorOptions = {}) {
    super('SINK', detail, options);
  }
}

/** Who holds a dataset's lock, as far as its lock file says. */
export interface LockHolder {
  pid: number | undefined;
  host: string | undefined;
  runId: string | undefined;
}

/**
 * Another live run holds the dataset's lock (`<out>/_lock`); this run wrote nothing. `holder`
 * says who (pid, host, run id) so an operator can check it. Code `LOCKED` (exit 8 in the CLI).
 */
export class DatasetLockedError extends OmnidimError {
  readonly holder: LockHolder;
  constructor(detail: string, holder: LockHolder) {
    super('LOCKED', detail);
    this.holder = holder;
  }
}

/** Thrown when a commit failed after its commit point: the new dataset is in place (code `SINK`). */
export class CommittedWithCleanupError extends SinkError {}

/**
 * `error` as a coded error: coded errors (ours, or e.g. an `IncompleteExportError` thrown by a
 * `beforeCommit` hook) pass unchanged; anything else becomes a {@link SinkError} prefixed with
 * `context`, the original as its `cause`.
 */
export function asSinkError(error: unknown, context: string): Error {
  if (isOmnidimError(error)) return error;
  return new SinkError(`${context}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

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

/**
 * A part object this run streamed to object storage no longer has the size and ETag its upload
 * got (replaced or deleted since, by another writer or by hand): the commit is refused before the
 * manifest names it, the previous version stays live (code `SINK`, exit 6 in the CLI). `key` is
 * the dataset-relative key of the object.
 */
export class StagedPartChangedError extends SinkError {
  readonly key: string;
  constructor(key: string, detail: string) {
    super(detail);
    this.key = key;
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

/**
 * Why {@link ParquetConcatError} refused: `schema-mismatch` (the sources' schemas, format
 * version, writer or key/value metadata differ: merging would mislabel rows), `unsupported` (a
 * valid file this copy cannot carry: encrypted, columns in another file, too many row groups for
 * an ordinal) or `malformed` (not a Parquet file, truncated, offsets outside the file). On the
 * first two a caller can still merge by decoding the rows; `malformed` is a broken input.
 */
export type ParquetConcatReason = 'schema-mismatch' | 'unsupported' | 'malformed';

/**
 * Merging Parquet files by copying row groups (parquet-concat.ts) refused or failed before its
 * output was complete (code `SINK`, exit 6 in the CLI). Which source and why: `source` (0-based
 * index into the sources given) and `reason`.
 */
export class ParquetConcatError extends SinkError {
  readonly reason: ParquetConcatReason;
  readonly source: number;
  constructor(
    reason: ParquetConcatReason,
    source: number,
    detail: string,
    options: OmnidimErrorOptions = {},
  ) {
    super(`Parquet concat, source ${source}: ${detail}`, options);
    this.reason = reason;
    this.source = source;
  }
}

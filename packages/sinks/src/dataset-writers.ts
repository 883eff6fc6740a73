/**
 * The part-file writer of a dataset's format. Staged part files are written without fsync and
 * without their own temp-file switch (`fsync: false, atomic: false`): the dataset fsyncs them in
 * parallel at a checkpoint or the commit, and its commit journal is what makes them visible.
 */
import type { TableSchema } from '@omnidim-stream/transform';
import { DATASET_DEFAULTS, type ResolvedDatasetOptions } from './dataset-options.js';
import type { ObjectPartTarget } from './object-part-upload.js';
import type { Destination, TableWriter } from './table-writer.js';

/**
 * Where a part file goes: a local path, or an object key streamed while written (an `s3://`
 * dataset: object-part-upload.ts). Both are plain data, so a worker thread builds the same.
 */
export type PartDestination = string | ObjectPartTarget;

/**
 * Opens a writer of `table`'s rows onto `destination`: a path, or the stream of a part file's
 * upload (opened by the caller, which reads the upload's ETag once the writer finished).
 */
export type WriterFactory = (table: TableSchema, destination: Destination) => TableWriter;

/** The options a writer factory is built from: plain data, so a worker thread can build it too. */
export type WriterOptions = Pick<
  ResolvedDatasetOptions,
  'format' | 'compression' | 'timeZone' | 'runId' | 'rowGroupRows' | 'rowGroupBytes' | 'formulaGuard'
>;

/** Loads only the chosen format's module (dynamic `import()`): NDJSON users never load hyparquet-writer. */
export async function loadWriterFactory(o: WriterOptions): Promise<WriterFactory> {
  if (o.format === 'parquet') {
    const { createParquetWriter } = await import('./parquet.js');
    const { RowGroupBudget } = await import('./row-group-budget.js');
    // One budget for every file this factory opens (a thread's factory: per-thread bound): the
    // open files of all tables, and the commit's rewrites, buffer rowGroupBytes in total.
    const rowGroupBudget = new RowGroupBudget(o.rowGroupBytes ?? DATASET_DEFAULTS.rowGroupBytes);
    return (schema, destination) =>
      createParquetWriter({
        schema,
        destination,
        fsync: false,
        atomic: false,
        compression: o.compression as 'snappy',
        keyValueMetadata: { 'omnidim.time_zone': o.timeZone, 'omnidim.run_id': o.runId },
        rowGroupBudget,
        ...(o.rowGroupRows === undefined ? {} : { rowGroupRows: o.rowGroupRows }),
        ...(o.rowGroupBytes === undefined ? {} : { rowGroupBytes: o.rowGroupBytes }),
      });
  }
  if (o.format === 'csv') {
    const { createCsvWriter } = await import('./csv.js');
    return (schema, destination) =>
      createCsvWriter({
        schema,
        destination,
        fsync: false,
        atomic: false,
        compression: o.compression as 'gzip',
        formulaGuard: o.formulaGuard,
      });
  }
  const { createNdjsonWriter } = await import('./ndjson.js');
  return (schema, destination) =>
    createNdjsonWriter({
      schema,
      destination,
      fsync: false,
      atomic: false,
      compression: o.compression as 'gzip',
    });
}

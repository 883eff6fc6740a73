/**
 * The part-file writer of a dataset's format. Staged part files are written without fsync and
 * without their own temp-file switch (`fsync: false, atomic: false`): the dataset fsyncs them in
 * parallel at a checkpoint or the commit, and its commit journal is what makes them visible.
 */
import type { TableSchema } from '@omnidim-stream/transform';
import type { ResolvedDatasetOptions } from './dataset-options.js';
import type { TableWriter } from './table-writer.js';

/** Opens a writer of `table`'s rows onto the file `destination`. */
export type WriterFactory = (table: TableSchema, destination: string) => TableWriter;

/** The options a writer factory is built from: plain data, so a worker thread can build it too. */
export type WriterOptions = Pick<
  ResolvedDatasetOptions,
  'format' | 'compression' | 'timeZone' | 'runId' | 'rowGroupRows' | 'rowGroupBytes' | 'formulaGuard'
>;

/** Loads only the chosen format's module (dynamic `import()`): NDJSON users never load hyparquet-writer. */
export async function loadWriterFactory(o: WriterOptions): Promise<WriterFactory> {
  if (o.format === 'parquet') {
    const { createParquetWriter } = await import('./parquet.js');
    return (schema, destination) =>
      createParquetWriter({
        schema,
        destination,
        fsync: false,
        atomic: false,
        compression: o.compression as 'snappy',
        keyValueMetadata: { 'omnidim.time_zone': o.timeZone, 'omnidim.run_id': o.runId },
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

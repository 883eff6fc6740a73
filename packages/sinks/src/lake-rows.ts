/**
 * Rows read back from a dataset file of any format, typed by the table schema the way the
 * writers take them (int64 → number, timestamp → Date, …), so merge-on-write and compaction can
 * feed them to the same writers. Streams in batches (a Parquet row group, or {@link BATCH} lines)
 * so a large partition is never held in memory whole.
 */
import { createInterface } from 'node:readline';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { ColumnSchema, Row, RowValue, TableSchema } from '@omnidim-stream/transform';
import { SinkError } from './errors.js';
import type { Format } from './formats.js';
import { openLakeFile, readLakeStream } from './lake-files.js';
import type { ManifestFile } from './manifest.js';
import { loadZstdDecompressor } from './zstd.js';

/** Rows per batch for the text formats. */
const BATCH = 1_000;

/**
 * Codecs hyparquet does not decode by itself (it has snappy); the writer offers these three, and
 * ZSTD is the default (issue 17), so a merge or `compact` of a default lake needs it.
 */
async function decompressors() {
  const zstd = await loadZstdDecompressor();
  return {
    GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
    BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)),
    ZSTD: (input: Uint8Array) => zstd(input),
  };
}

/**
 * Yields the rows of the dataset file `rel` (dataset-relative) in batches.
 *
 * @example
 * for await (const rows of readFileRows('./lake', 'calls/month=2026-04-01/part-x-00000.parquet', 'parquet', CALLS_SCHEMA)) count += rows.length;
 */
export async function* readFileRows(
  root: string,
  rel: string,
  format: Format,
  schema: TableSchema,
  columns?: readonly string[],
): AsyncGenerator<Row[]> {
  // `columns` only narrows what Parquet decodes (the text formats parse whole lines anyway).
  if (format === 'parquet') yield* parquetRows(root, rel, schema, columns);
  else if (format === 'csv') yield* csvRows(root, rel, schema);
  else yield* ndjsonRows(root, rel, schema);
}

/**
 * Yields the rows of a committed lake file like {@link readFileRows}, then throws unless it held
 * exactly the rows its manifest entry counts: merge-on-write and `compact` carry these rows into
 * the next lake, so a planted or damaged file (lines removed, another file copied over it) stops
 * the run instead of silently dropping calls.
 */
export async function* readManifestFileRows(
  root: string,
  file: ManifestFile,
  format: Format,
  schema: TableSchema,
  columns?: readonly string[],
): AsyncGenerator<Row[]> {
  let read = 0;
  for await (const rows of readFileRows(root, file.path, format, schema, columns)) {
    read += rows.length;
    yield rows;
  }
  if (read !== file.rows) {
    throw new SinkError(
      `${file.path} holds ${read} rows but the manifest lists ${file.rows}; nothing was committed`,
    );
  }
}

async function* parquetRows(
  root: string,
  rel: string,
  schema: TableSchema,
  columns: readonly string[] | undefined,
): AsyncGenerator<Row[]> {
  // Loaded on first use, like the writers: a run that never merges never loads a reader.
  const { parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  const compressors = await decompressors();
  const file = await openLakeFile(root, rel);
  try {
    const metadata = await parquetMetadataAsync(file);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const objects = await parquetReadObjects({
        file,
        metadata,
        rowStart,
        rowEnd,
        compressors,
        ...(columns === undefined ? {} : { columns: [...columns] }),
      });
      yield objects.map((o) => typedRow(schema, o));
      rowStart = rowEnd;
    }
  } finally {
    await file.close();
  }
}

async function* csvRows(root: string, rel: string, schema: TableSchema): AsyncGenerator<Row[]> {
  const { parse } = await import('csv-parse');
  // The CSV writer quotes only the empty string: an unquoted empty cell is null.
  const parser = (await readLakeStream(root, rel)).pipe(
    parse({ columns: true, cast: (value, context) => (value === '' && !context.quoting ? null : value) }),
  );
  let batch: Row[] = [];
  for await (const record of parser as AsyncIterable<Record<string, string | null>>) {
    batch.push(typedRow(schema, record));
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function* ndjsonRows(root: string, rel: string, schema: TableSchema): AsyncGenerator<Row[]> {
  const lines = createInterface({
    input: await readLakeStream(root, rel),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let batch: Row[] = [];
  for await (const line of lines) {
    if (line.length === 0) continue;
    batch.push(typedRow(schema, JSON.parse(line) as Record<string, unknown>));
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A stored record as a writer's row: each schema column, converted from how the format stores it. */
function typedRow(schema: TableSchema, stored: Record<string, unknown>): Row {
  const row: Row = {};
  for (const column of schema.columns) row[column.name] = typedValue(column, stored[column.name]);
  return row;
}

function typedValue(column: ColumnSchema, value: unknown): RowValue {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'int64':
    case 'float64':
      return toNumber(column, value);
    case 'boolean':
      return value === true || value === 'true';
    case 'date':
      // A Parquet DATE reads back as a Date at UTC midnight (issue 17); CSV and NDJSON hold the text.
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case 'timestamp':
      return value instanceof Date
        ? value
        : new Date(typeof value === 'bigint' ? Number(value) : String(value));
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

function toNumber(column: ColumnSchema, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) {
    throw new SinkError(`Column "${column.name}" of a lake file holds a value that is not a number`);
  }
  return n;
}

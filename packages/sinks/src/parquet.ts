import { brotliCompressSync, gzipSync } from 'node:zlib';
import { InvalidOptionError } from '@omnidim-stream/core';
import { calendarDateDays, type LogicalType, type Row, type TableSchema } from '@omnidim-stream/transform';
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { SinkError } from './errors.js';
import { NumberColumn } from './number-column.js';
import { oneOf, positiveInteger } from './option-checks.js';
import { type ParquetColumnOptions, parquetColumnOptions } from './parquet-column-options.js';
import { PARQUET_CREATED_BY } from './parquet-created-by.js';
import type { RowGroupBudget, RowGroupBuffer } from './row-group-budget.js';
import { TableWriter, type TableWriterBaseOptions } from './table-writer.js';
import { Utf8Column } from './utf8-column.js';
import { checkValue } from './values.js';
import { loadZstdCompressor } from './zstd.js';

export { RowGroupBudget } from './row-group-budget.js';
export type { Destination, TableWriterBaseOptions, WrittenFile } from './table-writer.js';
export { TableWriter } from './table-writer.js';

/** Parquet compression codecs this writer supports. */
export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'brotli' | 'none';

/** Options of {@link createParquetWriter}. */
export interface ParquetWriterOptions extends TableWriterBaseOptions {
  /**
   * Codec of every column chunk. Default `'zstd'` (chosen by bench/parquet-codecs.ts; `'snappy'`
   * is hyparquet-writer's built-in compressor). `'zstd'` (level 3) uses node:zlib where it has zstd (Node ≥ 22.15), else a pinned WebAssembly
   * build of the reference library (see zstd.ts); `'gzip'` and `'brotli'` use node:zlib. LZ4 is
   * not offered (no compressor here that readers agree on: Parquet has two LZ4 codecs).
   */
  compression?: ParquetCompression;
  /** A row group is closed at this many rows. Default 50 000. */
  rowGroupRows?: number;
  /**
   * A row group is also closed once its buffered values reach about this many bytes, which
   * bounds memory for tables with long transcripts: the buffers of the numeric and long-text
   * columns (number-column.ts, utf8-column.ts: their allocated bytes), and what the other values
   * take in the JS heap, see {@link bufferedValueBytes}. Default 32 MiB.
   */
  rowGroupBytes?: number;
  /**
   * A bound shared with other writers (one per run and thread, row-group-budget.ts): when the
   * values all of them buffer exceed it, the one holding the most writes its row group. The
   * dataset passes one; a lone writer has none.
   */
  rowGroupBudget?: RowGroupBudget;
  /**
   * Extra key/value pairs for the file footer, e.g. `omnidim.time_zone` and `omnidim.run_id`
   * (the dataset sets both). The writer always adds `omnidim.table` and `omnidim.schema_version`.
   */
  keyValueMetadata?: Readonly<Record<string, string>>;
}

const DEFAULTS = { compression: 'zstd', rowGroupRows: 50_000, rowGroupBytes: 32 * 1024 * 1024 } as const;

const CODECS = {
  snappy: 'SNAPPY',
  zstd: 'ZSTD',
  gzip: 'GZIP',
  brotli: 'BROTLI',
  none: 'UNCOMPRESSED',
} as const;

/**
 * The Parquet schema element of each logical type (`json` → UTF8, see below). Timestamps are INT64 millis with the
 * TIMESTAMP logical type `isAdjustedToUTC: true` (an instant; DuckDB reads it as
 * `TIMESTAMP WITH TIME ZONE`) plus the legacy TIMESTAMP_MILLIS converted type for old readers.
 */
const ELEMENTS: Record<LogicalType, Omit<SchemaElement, 'name' | 'repetition_type'>> = {
  int64: { type: 'INT64' },
  float64: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  // Not the JSON annotation: hyparquet-writer 0.17 encodes JSON columns as
  // `JSON.stringify(value)` (src/unconvert.js), so our JSON *text* would be stored as a JSON
  // string literal ("\"{...}\""), and parsing first would normalise the text. Plain UTF8 keeps the
  // exact text, identical to the NDJSON and CSV exports (DuckDB: VARCHAR; `json(col)` parses).
  json: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  timestamp: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  // Days since 1970-01-01 (written from the `YYYY-MM-DD` text by encode()).
  date: { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
};

/**
 * The Parquet schema (hyparquet-writer `SchemaElement[]`) of a table: nullable columns are
 * OPTIONAL, the others REQUIRED.
 *
 * @example
 * parquetSchema(CALLS_SCHEMA)[1]; // { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' }
 */
export function parquetSchema(schema: TableSchema): SchemaElement[] {
  return [
    { name: 'root', num_children: schema.columns.length },
    ...schema.columns.map(
      (c): SchemaElement => ({
        name: c.name,
        ...ELEMENTS[c.type],
        repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED',
      }),
    ),
  ];
}

type PageCompressor = (input: Uint8Array) => Uint8Array;

/**
 * hyparquet-writer's `compressors` (it has snappy built in) and, for `zstd`, a promise that
 * settles once the ZSTD compressor is loaded. hyparquet-writer copies the object when it is
 * constructed and the compressor may only be ready later (WebAssembly init), so the ZSTD entry
 * forwards to it; the writer's prepare() holds every encode() until `ready`, so no page is
 * compressed before.
 */
function pageCompressors(compression: ParquetCompression): {
  compressors: Partial<Record<'GZIP' | 'BROTLI' | 'ZSTD', PageCompressor>>;
  ready: Promise<void> | undefined;
} {
  const compressors: Partial<Record<'GZIP' | 'BROTLI' | 'ZSTD', PageCompressor>> = {
    GZIP: (input) => gzipSync(input),
    BROTLI: (input) => brotliCompressSync(input),
  };
  if (compression !== 'zstd') return { compressors, ready: undefined };
  let zstd: PageCompressor | undefined;
  compressors.ZSTD = (input) => {
    if (!zstd) throw new SinkError('The ZSTD compressor is not loaded yet');
    return zstd(input);
  };
  const ready = loadZstdCompressor().then(
    (compress) => {
      zstd = compress;
    },
    (error: unknown) => {
      throw new SinkError('Cannot load the ZSTD compressor', { cause: error });
    },
  );
  // Observed here so a writer that never writes does not leave an unhandled rejection.
  ready.catch(() => undefined);
  return { compressors, ready };
}

/**
 * The footer's key/value metadata: the table and its schema version, then the caller's pairs
 * (a caller cannot replace the first two: readers branch on them).
 */
function keyValueMetadata(
  schema: TableSchema,
  extra: Readonly<Record<string, string>> | undefined,
): { key: string; value: string }[] {
  const own = { 'omnidim.table': schema.name, 'omnidim.schema_version': String(schema.version) };
  const pairs = Object.entries({ ...extra, ...own });
  for (const [key, value] of pairs) {
    if (typeof value !== 'string') throw new InvalidOptionError(`keyValueMetadata.${key}`, 'a string', value);
  }
  return pairs.map(([key, value]) => ({ key, value }));
}

/** A row group's output buffer to start with (it doubles as the row group is encoded). */
const INITIAL_BYTES = 64 * 1024;

/**
 * hyparquet-writer `Writer` whose `flush()` (called by `ParquetWriter.write` after each row group)
 * hands the encoded bytes over instead of keeping them, so at most one encoded row group sits in
 * memory; the TableWriter then streams them to the file with backpressure. The buffer itself is
 * handed over (a view of what was written: no copy) and a small one starts the next row group: a
 * buffer grown to the largest row group stayed allocated for the life of the writer before
 * (measured: median sampled RSS of a 20k-call CLI export 151–157 MB against 180–184, sink CPU
 * 99 / 108 / 144 against 114 / 120 / 142 µs per call alternating; bench/memory-timeline.ts and
 * bench/sink-cost.ts, 2026-12-02). Every chunk keeps its own buffer: nothing writes into it again.
 */
class ChunkingByteWriter extends ByteWriter {
  readonly chunks: Uint8Array[] = [];

  flush(): void {
    if (this.index === 0) return;
    this.chunks.push(new Uint8Array(this.buffer, 0, this.index));
    this.buffer = new ArrayBuffer(INITIAL_BYTES);
    this.view = new DataView(this.buffer);
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }

  take(): Uint8Array[] {
    return this.chunks.splice(0, this.chunks.length);
  }
}

/** Per buffered value: its slot in the column array (a pointer, or a boxed number). */
const SLOT_BYTES = 8;
/** V8 keeps a string with any code unit above U+00FF in two bytes per unit, else in one. */
const TWO_BYTE = /[^\u0000-\u00ff]/;

/**
 * What a value buffered as itself (a boolean, text of a column with a dictionary trial or
 * statistics) takes in the JS heap, roughly: a string's characters (one or two bytes each, as V8
 * stores it: counting `length` alone undercounted non-Latin-1 text by half) plus the slot; a
 * BigInt 24; other values their slot.
 *
 * @example
 * bufferedValueBytes('añb'); // 11: one byte per char + the slot
 */
export function bufferedValueBytes(value: unknown): number {
  if (typeof value === 'string') return (TWO_BYTE.test(value) ? 2 : 1) * value.length + SLOT_BYTES;
  if (typeof value === 'bigint') return 24 + SLOT_BYTES;
  return SLOT_BYTES;
}

/** How the writer buffers a column's values until its row group is written. */
enum Kind {
  /** The checked value itself (boolean, text that may get a dictionary or statistics). */
  AsIs,
  /** float64: a double of a {@link NumberColumn}, off the JS heap. */
  Float,
  /** int64: a double of a {@link NumberColumn}; a BigInt (what INT64 is written from) at the write. */
  Int64,
  /**
   * timestamp: its INT64 millis, as {@link Kind.Int64}. A Date costs hyparquet-writer a
   * conversion per value in its statistics (and again per page for the page index) besides the
   * one for the page.
   */
  Millis,
  /** date: days since 1970-01-01 (INT32), from the `YYYY-MM-DD` text, in a {@link NumberColumn}. */
  Days,
  /** Long text written PLAIN without statistics: UTF-8 bytes off the JS heap (utf8-column.ts). */
  Utf8,
}

function kindOf(type: LogicalType, options: ParquetColumnOptions): Kind {
  if (type === 'float64') return Kind.Float;
  if (type === 'int64') return Kind.Int64;
  if (type === 'timestamp') return Kind.Millis;
  if (type === 'date') return Kind.Days;
  const text = type === 'string' || type === 'json';
  return text && options.encoding === 'PLAIN' && !options.statistics ? Kind.Utf8 : Kind.AsIs;
}

/** The number a checked, non-null value of a numeric kind is buffered as. */
function numeric(kind: Kind, value: NonNullable<unknown>): number {
  if (kind === Kind.Millis) return (value as Date).getTime();
  if (kind === Kind.Days) return calendarDateDays(value as string)!;
  return value as number;
}

/** A Writable of one table's rows that writes a Parquet file, one row group at a time. */
export class ParquetTableWriter extends TableWriter implements RowGroupBuffer {
  readonly #rowGroupRows: number;
  readonly #rowGroupBytes: number;
  readonly #bytes: ChunkingByteWriter;
  readonly #parquet: ParquetWriter;
  readonly #columnOptions: ParquetColumnOptions[];
  /** How {@link encode} stores each column's values (schema order). */
  readonly #kinds: Kind[];
  /** The buffered bytes of the {@link Kind.Utf8} columns (undefined for the others). */
  readonly #text: (Utf8Column | undefined)[];
  /** The buffered numbers of the numeric kinds (undefined for the others). */
  readonly #numbers: (NumberColumn | undefined)[];
  #columns: unknown[][];
  #bufferedRows = 0;
  #bufferedBytes = 0;
  /** Settles once the ZSTD compressor is loaded (undefined for the other codecs). */
  readonly #compressorReady: Promise<void> | undefined;
  readonly #budget: RowGroupBudget | undefined;

  constructor(options: ParquetWriterOptions) {
    const compression = oneOf('compression', options.compression ?? DEFAULTS.compression, [
      'snappy',
      'zstd',
      'gzip',
      'brotli',
      'none',
    ]);
    const rowGroupRows = positiveInteger('rowGroupRows', options.rowGroupRows ?? DEFAULTS.rowGroupRows);
    const rowGroupBytes = positiveInteger('rowGroupBytes', options.rowGroupBytes ?? DEFAULTS.rowGroupBytes);
    if (!options.schema || !Array.isArray(options.schema.columns) || options.schema.columns.length === 0) {
      throw new InvalidOptionError('schema', 'a table schema with at least one column', options.schema);
    }
    super(options, []);
    this.#rowGroupRows = rowGroupRows;
    this.#rowGroupBytes = rowGroupBytes;
    this.#bytes = new ChunkingByteWriter(INITIAL_BYTES);
    const { compressors, ready } = pageCompressors(compression);
    this.#compressorReady = ready;
    this.#parquet = new ParquetWriter({
      writer: this.#bytes,
      schema: parquetSchema(options.schema),
      codec: CODECS[compression],
      compressors,
      kvMetadata: keyValueMetadata(options.schema, options.keyValueMetadata),
      createdBy: PARQUET_CREATED_BY,
    });
    this.#columnOptions = parquetColumnOptions(options.schema);
    this.#kinds = options.schema.columns.map((c, i) => kindOf(c.type, this.#columnOptions[i]!));
    this.#text = this.#kinds.map((k) => (k === Kind.Utf8 ? new Utf8Column() : undefined));
    this.#numbers = this.#kinds.map((k) =>
      k === Kind.AsIs || k === Kind.Utf8 ? undefined : new NumberColumn(),
    );
    this.#columns = this.#emptyColumns();
    this.#budget = options.rowGroupBudget;
    this.#budget?.join(this);
  }

  /** Bytes of the row values buffered for the next row group ({@link bufferedValueBytes}). */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  protected encode(rows: readonly Row[]): unknown[] {
    const columns = this.schema.columns;
    const kinds = this.#kinds;
    for (const row of rows) {
      let rowBytes = 0;
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        const checked = checkValue(column, row[column.name]);
        const kind = kinds[i]!;
        if (kind === Kind.AsIs) {
          this.#columns[i]!.push(checked);
          rowBytes += bufferedValueBytes(checked);
        } else if (kind === Kind.Utf8) rowBytes += this.#text[i]!.push(checked as string | null);
        else rowBytes += this.#numbers[i]!.push(checked === null ? null : numeric(kind, checked));
      }
      this.#bufferedBytes += rowBytes;
      this.#budget?.add(rowBytes);
      this.#bufferedRows++;
      if (this.#bufferedRows >= this.#rowGroupRows || this.#bufferedBytes >= this.#rowGroupBytes) {
        this.#writeRowGroup();
      }
      // Per row, not per batch: one call's rows of a table can be large (a long transcript).
      this.#budget?.enforce();
    }
    return this.#bytes.take();
  }

  /** Writes the buffered rows as a row group now (the shared budget asks the largest writer). */
  flushRowGroup(): void {
    this.#writeRowGroup();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#budget?.leave(this);
    super._destroy(error, callback);
  }

  protected override prepare(): Promise<void> | undefined {
    return this.#compressorReady;
  }

  protected finishEncoding(): unknown[] {
    this.#writeRowGroup();
    this.#budget?.leave(this);
    this.#parquet.finish();
    return this.#bytes.take();
  }

  #writeRowGroup(): void {
    if (this.#bufferedRows === 0) return;
    // columnIndex (where parquet-column-options.ts keeps it): a page index wherever a chunk spans
    // several pages, so readers can skip pages by min/max, not only row groups (hyparquet-writer
    // writes none for a one-page chunk, where the chunk statistics already say everything).
    const columnData = this.schema.columns.map((c, i) => {
      // -0 and 0 share one dictionary entry in hyparquet-writer (a Map): keep them apart (PLAIN).
      const plain = this.#kinds[i] === Kind.Float && this.#numbers[i]!.hasNegativeZero;
      return {
        name: c.name,
        data: this.#take(i),
        ...this.#columnOptions[i],
        ...(plain ? { encoding: 'PLAIN' as const } : {}),
      };
    });
    // One call = one row group: rowGroupSize is the buffered count, so the library never splits.
    this.#parquet.write({ columnData: columnData as never, rowGroupSize: this.#bufferedRows });
    this.#columns = this.#emptyColumns();
    this.#bufferedRows = 0;
    this.#budget?.add(-this.#bufferedBytes);
    this.#bufferedBytes = 0;
  }

  /** Column `i`'s buffered values as hyparquet-writer takes them; its buffer starts empty again. */
  #take(i: number): unknown[] {
    const kind = this.#kinds[i]!;
    if (kind === Kind.AsIs) return this.#columns[i]!;
    if (kind === Kind.Utf8) return this.#text[i]!.take();
    return this.#numbers[i]!.take(kind === Kind.Int64 || kind === Kind.Millis);
  }

  #emptyColumns(): unknown[][] {
    return this.schema.columns.map(() => []);
  }
}

/**
 * Creates a Writable (object mode) of one table's rows that writes Parquet (hyparquet-writer)
 * to a file (atomically) or a stream, streaming row groups as they fill.
 *
 * @example
 * await pipeline(Readable.from(rows), createParquetWriter({ schema: CALLS_SCHEMA, destination: 'calls.parquet' }));
 */
export function createParquetWriter(options: ParquetWriterOptions): ParquetTableWriter {
  return new ParquetTableWriter(options);
}

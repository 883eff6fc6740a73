/**
 * Rows → NDJSON lines as UTF-8 bytes, written straight into chunk Buffers (issue 21, goal 3).
 *
 * Before, each row became a string (`out += key + value` per column: a rope of ~140 nodes for a
 * `calls` row, every number a `String()`, every text a `JSON.stringify`), then `buf.write()`
 * flattened the rope and encoded it again. Now keys are UTF-8 bytes made once per schema (with
 * `null`, `true` and `false` after them for those values), numbers and timestamps are written as
 * digits, short texts are escaped and encoded in one pass (json-string-bytes.ts), and only long
 * texts still go through `JSON.stringify` and the native encoder. The bytes are the same as
 * before for every input (test/ndjson.byte-identical.test.ts compares them with a reference
 * encoder kept in the test).
 *
 * A full chunk is handed on as is (the file write and the hash keep it) and the next bytes go
 * into a fresh Buffer: one allocation per chunk. A line may span two chunks (the file is their
 * concatenation); a row that throws leaves nothing of itself behind.
 */
import {
  type ColumnSchema,
  type Row,
  type RowValue,
  type TableSchema,
  wellFormedJsonText,
  wellFormedString,
} from '@omnidim-stream/transform';
import { NUMBER_MAX_BYTES, writeBytes, writeDoubleText, writeSafeInteger } from './ascii-bytes.js';
import { SinkError } from './errors.js';
import { ISO_INSTANT_BYTES, writeIsoInstant } from './iso-instant-bytes.js';
import { JSON_STRING_BYTES_PER_UNIT, writeJsonString } from './json-string-bytes.js';
import { UTF8_CHUNK_BYTES } from './utf8-chunks.js';
import { checkValue } from './values.js';

/**
 * Texts up to this many code units are escaped and encoded in JavaScript; longer ones by
 * `JSON.stringify` + `utf8Write`, whose native loops win once the call overhead is paid
 * (measured with bench/ndjson-encode.ts on the simulator's rows).
 */
const SHORT_TEXT_UNITS = 48;

/** Most UTF-8 bytes one UTF-16 code unit of a string without escapes takes. */
const UTF8_BYTES_PER_UNIT = 3;

/** How a column's values are written (a number, so the value writer is one `switch`). */
const Kind = {
  Int64: 0,
  Float64: 1,
  Boolean: 2,
  Timestamp: 3,
  Date: 4,
  Text: 5,
  EmbeddedJson: 6,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const KIND_OF: Record<ColumnSchema['type'], Kind> = {
  int64: Kind.Int64,
  float64: Kind.Float64,
  boolean: Kind.Boolean,
  timestamp: Kind.Timestamp,
  date: Kind.Date,
  string: Kind.Text,
  json: Kind.Text,
};

/** One column, compiled: its name, kind, and its key's bytes alone and with each constant value. */
interface CompiledColumn {
  readonly schemaColumn: ColumnSchema;
  readonly name: string;
  readonly kind: Kind;
  readonly key: Uint8Array;
  readonly keyNull: Uint8Array;
  readonly keyTrue: Uint8Array;
  readonly keyFalse: Uint8Array;
  /** Throws the common error (see {@link checkValue}) for a value the fast paths refused. */
  readonly refuse: (value: RowValue | undefined) => never;
}

function compileColumn(
  column: ColumnSchema,
  first: boolean,
  jsonColumns: 'string' | 'embed',
): CompiledColumn {
  const key = `${first ? '{' : ','}${JSON.stringify(column.name)}:`;
  return {
    schemaColumn: column,
    name: column.name,
    kind: column.type === 'json' && jsonColumns === 'embed' ? Kind.EmbeddedJson : KIND_OF[column.type],
    key: Buffer.from(key, 'utf8'),
    keyNull: Buffer.from(`${key}null`, 'utf8'),
    keyTrue: Buffer.from(`${key}true`, 'utf8'),
    keyFalse: Buffer.from(`${key}false`, 'utf8'),
    refuse: (value) => {
      checkValue(column, value);
      throw new SinkError(`Column "${column.name}" holds an unexpected value`);
    },
  };
}

/** Nothing held yet (the string API's empty batch). */
const EMPTY = Buffer.alloc(0);

/**
 * Encodes rows of one schema into NDJSON bytes: keys in schema order, timestamps as ISO 8601 UTC
 * (`toISOString()`), dates as `"YYYY-MM-DD"`, int64 as JSON integers, float64 as JSON numbers with
 * a decimal point when whole (`12.0`, see `doubleText()`), null as `null`, text as JSON strings
 * with lone surrogates as U+FFFD, `json` columns as strings (or embedded with `'embed'`). Values
 * are checked as {@link checkValue} does (same errors in every format).
 *
 * @example
 * const encoder = new NdjsonRowEncoder(CALLS_SCHEMA);
 * const full: Buffer[] = [];
 * encoder.encode(rows, full); // full chunks so far
 * encoder.flush(full); // and the rest
 */
export class NdjsonRowEncoder {
  readonly #columns: readonly CompiledColumn[];
  readonly #nullable: readonly boolean[];
  readonly #chunkBytes: number;
  #buffer: Buffer | null = null;
  #used = 0;

  constructor(
    schema: TableSchema,
    jsonColumns: 'string' | 'embed' = 'string',
    chunkBytes = UTF8_CHUNK_BYTES,
  ) {
    this.#columns = schema.columns.map((c, i) => compileColumn(c, i === 0, jsonColumns));
    this.#nullable = schema.columns.map((c) => c.nullable);
    this.#chunkBytes = chunkBytes;
  }

  /** Bytes held, not yet handed on. */
  get pendingBytes(): number {
    return this.#used;
  }

  /** Encodes `rows`; pushes onto `full` each chunk that filled up. Throws `SinkError` on a bad row. */
  encode(rows: readonly Row[], full: Buffer[]): void {
    for (let r = 0; r < rows.length; r++) {
      const startBuffer = this.#buffer;
      const startUsed = this.#used;
      const startFull = full.length;
      try {
        this.#row(rows[r]!, full);
      } catch (error) {
        // Nothing of a refused row stays: the chunk it started in is taken back as it was.
        full.length = startFull;
        this.#buffer = startBuffer;
        this.#used = startUsed;
        throw error;
      }
    }
  }

  /** Pushes what is held (if anything) onto `full`; the next row starts a fresh chunk. */
  flush(full: Buffer[]): void {
    if (this.#buffer === null || this.#used === 0) return;
    full.push(this.#buffer.subarray(0, this.#used));
    this.#buffer = null;
    this.#used = 0;
  }

  /**
   * The UTF-8 text of `full` and of what is held, for the string API (`compileNdjsonEncoder`);
   * then {@link discard} keeps the chunk for the next batch (a chunk per call cost 64 KiB each).
   */
  text(full: readonly Buffer[]): string {
    const held = this.#buffer === null ? EMPTY : this.#buffer.subarray(0, this.#used);
    return full.length === 0 ? held.toString('utf8') : Buffer.concat([...full, held]).toString('utf8');
  }

  /** Drops what is held (not handed on), keeping the chunk itself for reuse. */
  discard(): void {
    this.#used = 0;
  }

  /** A Buffer with `bytes` free after `#used` (the full one handed on first). */
  #room(bytes: number, full: Buffer[]): Buffer {
    const buffer = this.#buffer;
    if (buffer !== null && this.#used + bytes <= buffer.length) return buffer;
    this.flush(full);
    // Allocated on first use: a writer that never gets a row holds no chunk.
    const fresh = Buffer.allocUnsafeSlow(Math.max(this.#chunkBytes, bytes));
    this.#buffer = fresh;
    return fresh;
  }

  #row(row: Row, full: Buffer[]): void {
    const columns = this.#columns;
    const count = columns.length;
    if (count === 0) {
      const buf = this.#room(3, full);
      this.#used = writeBytes(buf, this.#used, EMPTY_LINE);
      return;
    }
    for (let i = 0; i < count; i++) {
      const column = columns[i]!;
      const value = row[column.name];
      if (value === null || value === undefined) {
        if (!this.#nullable[i]) column.refuse(value);
        const buf = this.#room(column.keyNull.length, full);
        this.#used = writeBytes(buf, this.#used, column.keyNull);
        continue;
      }
      this.#value(column, value, full);
    }
    const buf = this.#room(2, full);
    buf[this.#used] = 0x7d; // }
    buf[this.#used + 1] = 0x0a; // \n
    this.#used += 2;
  }

  /** Writes one column's key and its non-null value. */
  #value(column: CompiledColumn, value: RowValue, full: Buffer[]): void {
    const key = column.key;
    switch (column.kind) {
      case Kind.Int64: {
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) column.refuse(value);
        const buf = this.#room(key.length + NUMBER_MAX_BYTES, full);
        this.#used = writeSafeInteger(buf, writeBytes(buf, this.#used, key), value as number);
        return;
      }
      case Kind.Float64: {
        // doubleText() of a finite number is a JSON number that DuckDB reads as DOUBLE.
        if (typeof value !== 'number' || !Number.isFinite(value)) column.refuse(value);
        const buf = this.#room(key.length + NUMBER_MAX_BYTES, full);
        this.#used = writeDoubleText(buf, writeBytes(buf, this.#used, key), value as number);
        return;
      }
      case Kind.Boolean: {
        if (value !== true && value !== false) column.refuse(value);
        const bytes = value === true ? column.keyTrue : column.keyFalse;
        this.#used = writeBytes(this.#room(bytes.length, full), this.#used, bytes);
        return;
      }
      case Kind.Timestamp: {
        // `Z` is the explicit UTC offset. DuckDB's read_json infers TIMESTAMP (no zone) for every
        // ISO spelling with an offset, converting it to UTC; only the reader views (duckdb.ts)
        // make it TIMESTAMPTZ.
        if (!(value instanceof Date) || Number.isNaN(value.getTime())) column.refuse(value);
        const buf = this.#room(key.length + 2 * ISO_INSTANT_BYTES, full);
        this.#used = writeIsoInstant(buf, writeBytes(buf, this.#used, key), value as Date);
        return;
      }
      case Kind.Date:
        if (typeof value !== 'string') column.refuse(value);
        // checkValue() throws unless it is a real calendar date (`YYYY-MM-DD`), written as it is.
        this.#raw(key, `"${checkValue(column.schemaColumn, value) as string}"`, full);
        return;
      case Kind.EmbeddedJson:
        if (typeof value !== 'string') column.refuse(value);
        // Re-serialised so the line stays one line and valid even if the text had newlines/spaces.
        this.#raw(key, wellFormedJsonText(JSON.stringify(JSON.parse(value as string))), full);
        return;
      default:
        if (typeof value !== 'string') column.refuse(value);
        this.#text(key, value as string, full);
    }
  }

  /** Key, then a JSON string of `text`, lone surrogates as U+FFFD (issue 13: DuckDB refuses `\ud800`). */
  #text(key: Uint8Array, text: string, full: Buffer[]): void {
    if (text.length <= SHORT_TEXT_UNITS) {
      const buf = this.#room(key.length + 2 + text.length * JSON_STRING_BYTES_PER_UNIT, full);
      this.#used = writeJsonString(buf, writeBytes(buf, this.#used, key), text);
      return;
    }
    this.#raw(key, JSON.stringify(wellFormedString(text)), full);
  }

  /** Key, then `text` as UTF-8 as it is (it is JSON already). */
  #raw(key: Uint8Array, text: string, full: Buffer[]): void {
    const buf = this.#room(key.length + text.length * UTF8_BYTES_PER_UNIT, full);
    const at = writeBytes(buf, this.#used, key);
    this.#used = at + buf.write(text, at);
  }
}

const EMPTY_LINE = Buffer.from('{}\n', 'utf8');

/**
 * Issue 21 goal 3: the NDJSON writer encodes rows straight into bytes (ndjson-row-encoder.ts)
 * instead of `JSON.stringify` per value, a string per line and a UTF-8 pass. Its bytes must be
 * exactly what the documented format says, for every input: this test keeps a plain reference
 * encoder written from that format with `JSON.stringify` (not from the new code) and compares
 * bytes over a seeded corpus, over the simulator's own calls, through the writer (plain and gzip),
 * across chunk boundaries, and after a refused row.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  compileNdjsonEncoder,
  compileNdjsonLineEncoder,
  createNdjsonWriter,
  encodeNdjson,
  NdjsonRowEncoder,
  SinkError,
} from '@omnidim-stream/sinks';
import { type Row, SCHEMAS, TABLE_NAMES, type TableSchema } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_SCHEMA, corpusRows, seeded } from './fixtures/ndjson-corpus.js';
import { simulatedLogs, tempDir } from './helpers.js';

// `toWellFormed` is ES2024 (Node ≥ 20); the project's `lib` is ES2023.
const wellFormed = (text: string): string => (text as unknown as { toWellFormed(): string }).toWellFormed();

/** Every string in a parsed JSON value (keys too) made well-formed: lone surrogates → U+FFFD. */
function wellFormedDeep(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormedDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k), wellFormedDeep(v)]));
  }
  return value;
}

/**
 * The documented format (README, ndjson.ts): keys in schema order; null (or missing) as `null`;
 * int64 and booleans as JSON; float64 as JSON with `.0` after a whole number without exponent,
 * `-0` as `-0.0`; timestamps as `toISOString()`; dates as written; text and `json` as JSON
 * strings of the well-formed text; `json` with `'embed'` as the parsed value re-serialised.
 */
function referenceValue(type: string, value: unknown, jsonColumns: 'string' | 'embed'): string {
  if (value === null || value === undefined) return 'null';
  switch (type) {
    case 'float64': {
      const number = value as number;
      if (Object.is(number, -0)) return '-0.0';
      const text = JSON.stringify(number);
      return Number.isInteger(number) && !text.includes('e') ? `${text}.0` : text;
    }
    case 'timestamp':
      return JSON.stringify((value as Date).toISOString());
    case 'json':
      if (jsonColumns === 'embed') return JSON.stringify(wellFormedDeep(JSON.parse(value as string)));
      return JSON.stringify(wellFormed(value as string));
    case 'string':
      return JSON.stringify(wellFormed(value as string));
    default:
      return JSON.stringify(value);
  }
}

function referenceNdjson(
  schema: TableSchema,
  rows: readonly Row[],
  jsonColumns: 'string' | 'embed' = 'string',
): Buffer {
  let out = '';
  for (const row of rows) {
    const fields = schema.columns.map(
      (c) => `${JSON.stringify(c.name)}:${referenceValue(c.type, row[c.name], jsonColumns)}`,
    );
    out += `{${fields.join(',')}}\n`;
  }
  return Buffer.from(out, 'utf8');
}

/** The writer's encoder, rows handed over in batches of `batch`, chunks of `chunkBytes`. */
function encoded(
  schema: TableSchema,
  rows: readonly Row[],
  options: { batch?: number; chunkBytes?: number; jsonColumns?: 'string' | 'embed' } = {},
): Buffer {
  const encoder = new NdjsonRowEncoder(schema, options.jsonColumns ?? 'string', options.chunkBytes);
  const full: Buffer[] = [];
  const batch = options.batch ?? 16;
  for (let i = 0; i < rows.length; i += batch) encoder.encode(rows.slice(i, i + batch), full);
  encoder.flush(full);
  return Buffer.concat(full);
}

/** Index of the first differing line, for a readable failure. */
function firstDifference(actual: Buffer, expected: Buffer): string {
  const a = actual.toString('utf8').split('\n');
  const e = expected.toString('utf8').split('\n');
  const i = a.findIndex((line, k) => line !== e[k]);
  return i < 0
    ? 'none'
    : `line ${i}:\n  got      ${JSON.stringify(a[i])}\n  expected ${JSON.stringify(e[i])}`;
}

function expectSameBytes(actual: Buffer, expected: Buffer): void {
  if (!actual.equals(expected)) expect(firstDifference(actual, expected)).toBe('none');
  expect(actual.equals(expected)).toBe(true);
}

describe('NDJSON bytes = the reference encoder', () => {
  it('over a seeded corpus of every column type and awkward text', () => {
    for (const seed of [1, 2, 3]) {
      const rows = corpusRows(2000, seed);
      expectSameBytes(encoded(CORPUS_SCHEMA, rows), referenceNdjson(CORPUS_SCHEMA, rows));
    }
  });

  it("with jsonColumns 'embed'", () => {
    const rows = corpusRows(500, 4);
    expectSameBytes(
      encoded(CORPUS_SCHEMA, rows, { jsonColumns: 'embed' }),
      referenceNdjson(CORPUS_SCHEMA, rows, 'embed'),
    );
  });

  it('whatever the chunk size and batch size (lines span chunks)', () => {
    const rows = corpusRows(300, 5);
    const expected = referenceNdjson(CORPUS_SCHEMA, rows);
    for (const [chunkBytes, batch] of [
      [64, 1],
      [1000, 7],
      [65_536, 300],
    ] as const) {
      expectSameBytes(encoded(CORPUS_SCHEMA, rows, { chunkBytes, batch }), expected);
    }
  });

  it("over the simulator's calls, every table", () => {
    const logs = simulatedLogs(300, 11);
    for (const table of TABLE_NAMES) {
      const rows = logs.flatMap((log) => log.tables[table] as Row[]);
      expectSameBytes(encoded(SCHEMAS[table], rows), referenceNdjson(SCHEMAS[table], rows));
    }
  });

  it('encodeNdjson() gives the same text', () => {
    const rows = corpusRows(200, 6);
    expect(encodeNdjson(CORPUS_SCHEMA, rows)).toBe(referenceNdjson(CORPUS_SCHEMA, rows).toString('utf8'));
  });

  it('a compiled encoder called again gives each batch alone, also after a refused row', () => {
    const rows = corpusRows(60, 8);
    const encode = compileNdjsonEncoder(CORPUS_SCHEMA);
    const text = (from: number, to: number) =>
      referenceNdjson(CORPUS_SCHEMA, rows.slice(from, to)).toString('utf8');
    expect(encode(rows.slice(0, 20))).toBe(text(0, 20));
    expect(encode(rows.slice(20, 40))).toBe(text(20, 40));
    expect(() => encode([rows[40]!, { ...rows[41]!, more: Number.NaN }])).toThrow(SinkError);
    expect(encode(rows.slice(42, 60))).toBe(text(42, 60));
    const line = compileNdjsonLineEncoder(CORPUS_SCHEMA);
    for (let i = 0; i < 5; i++) expect(line(rows[i]!)).toBe(text(i, i + 1));
  });

  it('leaves nothing of a refused row; the rows before it stay', () => {
    const rows = corpusRows(40, 7);
    // Refused at its last column, after a text longer than a chunk: the row spans chunks by then.
    const refused = { ...rows[30]!, text: 'é'.repeat(1000), more: Number.NaN };
    const bad = [...rows.slice(0, 30), refused, ...rows.slice(31)];
    const encoder = new NdjsonRowEncoder(CORPUS_SCHEMA, 'string', 256);
    const full: Buffer[] = [];
    expect(() => encoder.encode(bad, full)).toThrow(SinkError);
    encoder.flush(full);
    expectSameBytes(Buffer.concat(full), referenceNdjson(CORPUS_SCHEMA, rows.slice(0, 30)));
    // The one-shot function starts clean after a refusal.
    expect(() => encodeNdjson(CORPUS_SCHEMA, bad)).toThrow(/"more" \(float64\)/);
    expect(encodeNdjson(CORPUS_SCHEMA, rows.slice(0, 2))).toBe(
      referenceNdjson(CORPUS_SCHEMA, rows.slice(0, 2)).toString('utf8'),
    );
  });
});

describe('NDJSON writer files = the reference bytes', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir('ndjson-bytes');
  });
  afterAll(async () => dir.remove());

  it.each(['none', 'gzip'] as const)('compression %s', async (compression) => {
    const rows = corpusRows(1500, 8);
    const destination = join(dir.path, `corpus-${compression}.ndjson${compression === 'gzip' ? '.gz' : ''}`);
    const writer = createNdjsonWriter({ schema: CORPUS_SCHEMA, destination, compression });
    for (let i = 0; i < rows.length; i += 37) writer.writeRows(rows.slice(i, i + 37));
    writer.end();
    await once(writer, 'finish');
    const bytes = await readFile(destination);
    expectSameBytes(compression === 'gzip' ? gunzipSync(bytes) : bytes, referenceNdjson(CORPUS_SCHEMA, rows));
  });
});

/** A one-column line of `value`, from the encoder and from the reference. */
function oneValue(type: 'float64' | 'timestamp', values: readonly unknown[]): [Buffer, Buffer] {
  const schema: TableSchema = {
    name: 'calls',
    version: 1,
    primaryKey: [],
    columns: [{ name: 'v', type, nullable: true, description: '' }],
  };
  const rows = values.map((v) => ({ v }) as Row);
  return [encoded(schema, rows, { batch: 4096 }), referenceNdjson(schema, rows)];
}

describe('numbers and instants written digit by digit = their JavaScript text', () => {
  it('doubles: shortest decimals of up to 9 fraction digits, their neighbours, any bit pattern', () => {
    const random = seeded(21);
    const bits = new DataView(new ArrayBuffer(8));
    const values: number[] = [];
    for (let i = 0; i < 60_000; i++) {
      const scale = 10 ** (1 + Math.floor(random() * 9));
      const decimal = Math.floor(random() * 2 ** 50) / scale;
      const small =
        Math.round((random() - 0.5) * 10 ** (1 + Math.floor(random() * 16))) /
        10 ** Math.floor(random() * 12);
      bits.setFloat64(0, decimal);
      bits.setUint32(4, (bits.getUint32(4) + 1) >>> 0); // the next double: 16–17 digits
      const neighbour = bits.getFloat64(0);
      bits.setUint32(0, Math.floor(random() * 2 ** 32));
      bits.setUint32(4, Math.floor(random() * 2 ** 32));
      const any = bits.getFloat64(0);
      for (const v of [decimal, small, neighbour, Number.isFinite(any) ? any : 0, 1e-6 * (1 + random())]) {
        values.push(v, -v);
      }
    }
    const [actual, expected] = oneValue('float64', values);
    expectSameBytes(actual, expected);
  });

  it('instants: the whole Date range, and the edges of four-digit years', () => {
    const random = seeded(22);
    const values: Date[] = [];
    for (const ms of [-8.64e15, 8.64e15, -62_167_219_200_001, -62_167_219_200_000, -1, 0, 951_782_400_000]) {
      values.push(new Date(ms));
    }
    for (let i = 0; i < 50_000; i++)
      values.push(new Date(Math.round((random() * 2 - 1) * (i % 2 ? 8.64e15 : 4e12))));
    const [actual, expected] = oneValue('timestamp', values);
    expectSameBytes(actual, expected);
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { generateCallLog } from '@omnidim-stream/simulator';
import type { FlatCallLog, TableSchema } from '@omnidim-stream/transform';
import { flattenCallLog } from '@omnidim-stream/transform';
import { loadZstdDecompressor } from '../src/zstd.js';

/** Simulated calls flattened by the real transform, newest first (the API's order). */
export function simulatedLogs(count: number, seed = 7): FlatCallLog[] {
  const logs: FlatCallLog[] = [];
  for (let i = count - 1; i >= 0; i--) logs.push(flattenCallLog(generateCallLog(seed, i)));
  return logs;
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `sinks-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

let connection: DuckDBConnection | undefined;

/** Rows of a DuckDB query as JSON-friendly objects (an independent reader of our files). */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  connection ??= await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** column name → DuckDB type name, as DuckDB describes a query. */
export async function duckTypes(sql: string): Promise<Record<string, string>> {
  const rows = await duck(`DESCRIBE ${sql}`);
  return Object.fromEntries(rows.map((r) => [String(r['column_name']), String(r['column_type'])]));
}

/**
 * hyparquet's `compressors` option with a ZSTD decompressor (hyparquet itself ships only snappy;
 * Parquet files are ZSTD by default): the sinks' own loader (node:zlib's where this Node has one,
 * else the WebAssembly zstd, initialised once), the codec the lake reader uses too. Only the codec
 * is shared: hyparquet still decodes the file independently of the writer.
 */
export async function hyparquetCompressors(): Promise<{
  ZSTD: (input: Uint8Array, outputLength: number) => Uint8Array;
}> {
  const decompress = await loadZstdDecompressor();
  return { ZSTD: (input) => decompress(input) };
}

/** Every file under `dir` (relative, `/`-separated), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Every file under `dir` with the sha256 of its bytes: a byte-for-byte picture of a tree. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const picture: Record<string, string> = {};
  for (const f of await listFiles(dir)) {
    picture[f] = createHash('sha256')
      .update(await readFile(join(dir, f)))
      .digest('hex');
  }
  return picture;
}

/** A tiny schema covering every logical type, for unit tests independent of the transform. */
export const ALL_TYPES_SCHEMA: TableSchema = {
  name: 'calls',
  version: 3,
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'int64', nullable: false, description: 'key' },
    { name: 'score', type: 'float64', nullable: true, description: '' },
    { name: 'ok', type: 'boolean', nullable: true, description: '' },
    { name: 'text', type: 'string', nullable: true, description: '' },
    { name: 'at', type: 'timestamp', nullable: true, description: '' },
    { name: 'payload', type: 'json', nullable: true, description: '' },
  ],
};

/** Rows with the awkward values a CSV/JSON writer must survive. */
export const AWKWARD_ROWS = [
  {
    id: 9_007_199_254_740_991,
    score: -0.5,
    ok: true,
    text: 'a, "quoted" word\nnew line\r\nand CRLF',
    at: new Date('2024-02-29T23:59:59.123Z'),
    payload: '{"a":[1,2,{"b":"x,y"}],"c":"é"}',
  },
  { id: 2, score: 1e-7, ok: false, text: '=SUM(A1:A2)', at: new Date(0), payload: '"just a string"' },
  { id: 3, score: null, ok: null, text: '', at: null, payload: null },
  {
    id: 4,
    score: 12345.678,
    ok: true,
    text: 'naïve café 日本語 🚀',
    at: new Date('1999-12-31T00:00:00Z'),
    payload: '[]',
  },
  { id: -5, score: 0, ok: false, text: '+1 555', at: new Date('2030-01-01T12:00:00.001Z'), payload: '{}' },
  { id: 6, score: 3, ok: true, text: '-minus', at: new Date('2024-01-01T00:00:00Z'), payload: 'null' },
  { id: 7, score: 2.5, ok: true, text: '@handle\ttab', at: new Date('2024-01-01T00:00:00Z'), payload: '1' },
  { id: 8, score: 2.5, ok: true, text: null, at: new Date('2024-01-01T00:00:00Z'), payload: '{"k":"\\n"}' },
];

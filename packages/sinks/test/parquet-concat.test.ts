/**
 * concatParquet (issue 21): files written by our own Parquet writer (real tables, several row
 * groups, chunks of several pages so the page index exists) are merged by copying row groups, and
 * the result is read back by independent readers: DuckDB (every row, in order, and a filtered
 * query) and hyparquet (every row, and row-range and filtered reads through the offset and column
 * indexes). parquet-wasm would be a third reader but is not a dependency here (no new dependency
 * for a test); parquetjs-lite, which is, refuses format version 2 files ("invalid parquet version").
 * The expected rows are what DuckDB and hyparquet read from the source files themselves.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generateCallLog } from '@omnidim-stream/simulator';
import {
  CALLS_SCHEMA,
  flattenCallLog,
  INTERACTIONS_SCHEMA,
  type Row,
  type TableSchema,
} from '@omnidim-stream/transform';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, fileSource } from '../src/byte-sources.js';
import { ParquetConcatError } from '../src/errors.js';
import { createParquetWriter, type ParquetCompression } from '../src/parquet.js';
import { type ByteSource, concatParquet } from '../src/parquet-concat.js';
import { duck, hyparquetCompressors, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
let compressors: Awaited<ReturnType<typeof hyparquetCompressors>>;
beforeAll(async () => {
  dir = await tempDir('pqconcat');
  compressors = await hyparquetCompressors();
});
afterAll(async () => dir.remove());

const ROWS_PER_FILE = 100;
/** 40 rows of ~40 kB prompts: each full row group's llm_prompt chunk spans two 1 MiB pages. */
const ROW_GROUP_ROWS = 40;

/** Simulated calls' rows of `schema`, with long two-byte prompts, explicit nulls and odd text. */
function tableRows(schema: TableSchema, count: number, seed: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count && rows.length < count; i++) {
    const flat = flattenCallLog(generateCallLog(seed, i));
    rows.push(...(flat.tables[schema.name as 'calls' | 'interactions'] as Row[]));
  }
  return rows.slice(0, count).map((row, i) => {
    if (schema.name !== 'calls')
      return { ...row, bot_response: i % 7 === 0 ? null : `réponse ${i} — 東京 ✓` };
    return {
      ...row,
      llm_prompt: `prompt ${i} — Zürich 東京 ✓ ${'abcdefghij'.repeat(4000)}`,
      bot_name: i % 5 === 0 ? null : `Zoë ${i} – 日本語`,
      issues: i % 3 === 0 ? null : `["late", "é ${i}", {"n": [${i}, null]}]`,
    };
  });
}

async function writeFile(
  name: string,
  schema: TableSchema,
  rows: Row[],
  compression: ParquetCompression,
  keyValueMetadata?: Record<string, string>,
): Promise<string> {
  const path = join(dir.path, name);
  await pipeline(
    Readable.from(rows),
    createParquetWriter({
      schema,
      destination: path,
      compression,
      rowGroupRows: ROW_GROUP_ROWS,
      ...(keyValueMetadata ? { keyValueMetadata } : {}),
    }),
  );
  return path;
}

/** concatParquet into `path` through a file stream, honouring its backpressure. */
async function concatTo(path: string, sources: ByteSource[]): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(path);
  try {
    const result = await concatParquet(sources, async (chunk) => {
      if (!out.write(chunk)) await once(out, 'drain');
    });
    out.end();
    await once(out, 'finish');
    return result;
  } finally {
    out.destroy();
  }
}

async function withFileSources<T>(paths: string[], use: (sources: ByteSource[]) => Promise<T>): Promise<T> {
  const handles = await Promise.all(paths.map((p) => open(p)));
  try {
    const sizes = await Promise.all(handles.map(async (h) => (await h.stat()).size));
    return await use(handles.map((h, i) => fileSource(h, sizes[i]!)));
  } finally {
    await Promise.all(handles.map((h) => h.close()));
  }
}

/** Every row of a file as DuckDB reads it, in file order. */
async function duckRows(path: string): Promise<Record<string, unknown>[]> {
  const rows = await duck(
    `SELECT * FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number`,
  );
  return rows.map(({ file_row_number: _, ...row }) => row);
}

async function hyparquetRows(
  path: string,
  options: Record<string, unknown> = {},
): Promise<Record<string, unknown>[]> {
  const file = await asyncBufferFromFile(path);
  return parquetReadObjects({ file, compressors, ...options });
}

describe.each([
  ['calls', 'zstd', CALLS_SCHEMA],
  ['calls', 'snappy', CALLS_SCHEMA],
  ['calls', 'none', CALLS_SCHEMA],
  ['interactions', 'zstd', INTERACTIONS_SCHEMA],
] as const)('concatParquet of three %s files (%s)', (_table, compression, schema) => {
  const name = `${schema.name}-${compression}`;
  let inputs: Row[][];
  let paths: string[];
  let merged: string;

  beforeAll(async () => {
    const rows = tableRows(schema, 3 * ROWS_PER_FILE, 11);
    inputs = [0, 1, 2].map((f) => rows.slice(f * ROWS_PER_FILE, (f + 1) * ROWS_PER_FILE));
    paths = await Promise.all(
      inputs.map((r, f) => writeFile(`${name}-${f}.parquet`, schema, r, compression)),
    );
    merged = join(dir.path, `${name}-merged.parquet`);
    // In-memory sources and file-handle sources in one merge.
    const [a, b, c] = await Promise.all(paths.map((p) => readFile(p)));
    await withFileSources([paths[1]!], async ([fromFile]) => {
      const result = await concatTo(merged, [bytesSource(a!), fromFile!, bytesSource(c!)]);
      expect(result).toEqual({ rows: 3 * ROWS_PER_FILE, bytes: (await readFile(merged)).length });
      expect(b).toBeDefined();
    });
  });

  it('the sources have several row groups and (calls) multi-page chunks with a page index', async () => {
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(paths[0]!));
    expect(meta.row_groups.length).toBe(3);
    const indexed = meta.row_groups[0]!.columns.filter((c) => c.offset_index_offset !== undefined);
    if (schema.name === 'calls') expect(indexed.length).toBeGreaterThan(0);
  });

  it('DuckDB reads every source row, in order, and the ids of the input', async () => {
    const expected = [];
    for (const p of paths) expected.push(...(await duckRows(p)));
    const rows = await duckRows(merged);
    expect(rows.length).toBe(3 * ROWS_PER_FILE);
    expect(rows).toEqual(expected);
    const idColumn = schema.name === 'calls' ? 'id' : 'call_id';
    expect(rows.map((r) => String(r[idColumn]))).toEqual(inputs.flat().map((r) => String(r[idColumn])));
  });

  it('DuckDB answers a filtered query (row group statistics) like the inputs', async () => {
    const ids = inputs.flat().map((r) => Number(r['call_id'] ?? r['id']));
    const [low, high] = [ids[130]!, ids[170]!].sort((x, y) => x - y) as [number, number];
    const column = schema.name === 'calls' ? 'id' : 'call_id';
    const want = ids.filter((id) => id >= low && id <= high).sort((x, y) => x - y);
    const got = await duck(
      `SELECT ${column} AS k FROM read_parquet('${merged}') WHERE ${column} BETWEEN ${low} AND ${high} ORDER BY k`,
    );
    expect(got.map((r) => Number(r['k']))).toEqual(want);
  });

  it('hyparquet reads every source row, in order, and the merged footer adds them up', async () => {
    const expected = [];
    for (const p of paths) expected.push(...(await hyparquetRows(p)));
    expect(await hyparquetRows(merged)).toEqual(expected);
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(merged));
    expect(meta.num_rows).toBe(BigInt(3 * ROWS_PER_FILE));
    expect(meta.row_groups.length).toBe(9);
    expect(meta.key_value_metadata).toContainEqual({ key: 'omnidim.table', value: schema.name });
  });

  it("the merged footer's chunk offsets (as hyparquet parses them) point at each chunk's first page, back to back", async () => {
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(merged));
    let next = 4n; // after the leading PAR1
    for (const group of meta.row_groups) {
      for (const chunk of group.columns) {
        const first = chunk.meta_data!.dictionary_page_offset ?? chunk.meta_data!.data_page_offset;
        expect(first).toBe(next);
        // Our writer sets ColumnChunk.file_offset to the chunk's first byte: it must move with it.
        expect(chunk.file_offset).toBe(first);
        next = first + chunk.meta_data!.total_compressed_size;
      }
    }
  });

  it('hyparquet reads row ranges through the offset index and filters through the column index', async () => {
    const all = await hyparquetRows(merged);
    // Rows 205..235 lie in the third source's first row group (its chunks are multi-page).
    const range = await hyparquetRows(merged, { rowStart: 205, rowEnd: 235, useOffsetIndex: true });
    expect(range).toEqual(all.slice(205, 235));
    const column = schema.name === 'calls' ? 'id' : 'call_id';
    const pivot = all[210]![column] as bigint;
    const filtered = await hyparquetRows(merged, {
      filter: { [column]: { $eq: pivot } },
      useOffsetIndex: true,
    });
    expect(filtered).toEqual(all.filter((r) => r[column] === pivot));
  });
});

describe('concatParquet edges and refusals', () => {
  let calls: string[];
  let callsBytes: Buffer[];
  let interactions: string;
  beforeAll(async () => {
    const rows = tableRows(CALLS_SCHEMA, 2 * ROWS_PER_FILE, 5);
    calls = await Promise.all(
      [0, 1].map((f) =>
        writeFile(
          `edge-calls-${f}.parquet`,
          CALLS_SCHEMA,
          rows.slice(f * ROWS_PER_FILE, (f + 1) * ROWS_PER_FILE),
          'zstd',
        ),
      ),
    );
    callsBytes = await Promise.all(calls.map((p) => readFile(p)));
    interactions = await writeFile(
      'edge-interactions.parquet',
      INTERACTIONS_SCHEMA,
      tableRows(INTERACTIONS_SCHEMA, 50, 5),
      'zstd',
    );
  });

  /** Runs a concat into memory, counting the writes. */
  async function attempt(sources: ByteSource[]): Promise<{ result: Promise<unknown>; chunks: Uint8Array[] }> {
    const chunks: Uint8Array[] = [];
    const result = concatParquet(sources, async (chunk) => {
      chunks.push(chunk.slice());
    });
    await result.catch(() => undefined);
    return { result, chunks };
  }

  it('one source gives back an equivalent file (here: the same bytes)', async () => {
    const out = join(dir.path, 'edge-one.parquet');
    const result = await withFileSources([calls[0]!], (sources) => concatTo(out, sources));
    expect(result.rows).toBe(ROWS_PER_FILE);
    expect(await duckRows(out)).toEqual(await duckRows(calls[0]!));
    expect((await readFile(out)).equals(callsBytes[0]!)).toBe(true);
  });

  it('a merged file merges again, its footer larger than the first read of its tail', async () => {
    const six = join(dir.path, 'edge-six.parquet');
    await withFileSources([...calls, ...calls, ...calls], (sources) => concatTo(six, sources));
    const bytes = await readFile(six);
    expect(bytes.readUInt32LE(bytes.length - 8)).toBeGreaterThan(64 * 1024);
    const out = join(dir.path, 'edge-seven.parquet');
    const result = await withFileSources([six, calls[0]!], (sources) => concatTo(out, sources));
    expect(result.rows).toBe(7 * ROWS_PER_FILE);
    expect(await duckRows(out)).toEqual([...(await duckRows(six)), ...(await duckRows(calls[0]!))]);
  });

  it('an empty source (no row group) between two others adds no row', async () => {
    const empty = await writeFile('edge-empty.parquet', CALLS_SCHEMA, [], 'zstd');
    const out = join(dir.path, 'edge-with-empty.parquet');
    await withFileSources([calls[0]!, empty, calls[1]!], (sources) => concatTo(out, sources));
    expect(await duckRows(out)).toEqual([...(await duckRows(calls[0]!)), ...(await duckRows(calls[1]!))]);
  });

  it('files of different schemas: a ParquetConcatError (schema-mismatch), nothing written', async () => {
    const { result, chunks } = await withFileSources([calls[0]!, interactions], attempt);
    await expect(result).rejects.toBeInstanceOf(ParquetConcatError);
    await expect(result).rejects.toMatchObject({ code: 'SINK', reason: 'schema-mismatch', source: 1 });
    expect(chunks).toEqual([]);
  });

  it('same columns, another time zone in the metadata: schema-mismatch; another run id: merged', async () => {
    const rows = tableRows(CALLS_SCHEMA, 10, 9);
    const utc = await writeFile('edge-utc.parquet', CALLS_SCHEMA, rows, 'zstd', {
      'omnidim.time_zone': 'UTC',
      'omnidim.run_id': 'run-a',
    });
    const berlin = await writeFile('edge-berlin.parquet', CALLS_SCHEMA, rows, 'zstd', {
      'omnidim.time_zone': 'Europe/Berlin',
      'omnidim.run_id': 'run-a',
    });
    const otherRun = await writeFile('edge-run-b.parquet', CALLS_SCHEMA, rows, 'zstd', {
      'omnidim.time_zone': 'UTC',
      'omnidim.run_id': 'run-b',
    });
    const { result } = await withFileSources([utc, berlin], attempt);
    await expect(result).rejects.toMatchObject({ reason: 'schema-mismatch', source: 1 });
    const out = join(dir.path, 'edge-runs.parquet');
    await withFileSources([utc, otherRun], (sources) => concatTo(out, sources));
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(out));
    expect(meta.key_value_metadata).toContainEqual({ key: 'omnidim.run_id', value: 'run-a' });
    expect((await duckRows(out)).length).toBe(20);
  });

  it('a source cut short at its end: malformed, before anything is written', async () => {
    const cut = bytesSource(callsBytes[1]!.subarray(0, callsBytes[1]!.length - 1000));
    const { result, chunks } = await attempt([bytesSource(callsBytes[0]!), cut]);
    await expect(result).rejects.toMatchObject({ code: 'SINK', reason: 'malformed', source: 1 });
    expect(chunks).toEqual([]);
  });

  it('a torn source (bytes missing in the middle, footer intact): an error, never a short file', async () => {
    const whole = callsBytes[1]!;
    const torn = bytesSource(Buffer.concat([whole.subarray(0, 5000), whole.subarray(whole.length - 20_000)]));
    const { result } = await attempt([bytesSource(callsBytes[0]!), torn]);
    await expect(result).rejects.toMatchObject({ code: 'SINK', reason: 'malformed', source: 1 });
  });

  it('a source whose reads come back short mid-copy: an error, and the output never gets its footer', async () => {
    const whole = callsBytes[1]!;
    const short: ByteSource = {
      size: whole.length,
      // The magic and footer reads succeed; the read of the pages (from byte 4, after PAR1) loses its tail.
      read: async (start, end) => whole.subarray(start, start === 4 ? end - 1 : end),
    };
    const { result, chunks } = await attempt([bytesSource(callsBytes[0]!), short]);
    await expect(result).rejects.toMatchObject({ code: 'SINK', reason: 'malformed', source: 1 });
    const written = Buffer.concat(chunks);
    expect(written.subarray(written.length - 4).toString('latin1')).not.toBe('PAR1');
  });

  it('not a Parquet file, and no source at all: refused', async () => {
    const { result } = await attempt([bytesSource(Buffer.from('{"id":1}\n{"id":2}\n'))]);
    await expect(result).rejects.toMatchObject({ code: 'SINK', reason: 'malformed', source: 0 });
    await expect(concatParquet([], async () => undefined)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('a failing write rejects the concat with a SINK error', async () => {
    const failing = concatParquet([bytesSource(callsBytes[0]!)], async () => {
      throw new Error('disk full');
    });
    await expect(failing).rejects.toMatchObject({
      code: 'SINK',
      message: expect.stringContaining('disk full'),
    });
  });
});

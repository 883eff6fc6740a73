/**
 * Issue 21 (CPU per call): the Parquet writer keeps long-text columns (transcripts, signed links,
 * webhook payloads: PLAIN, no statistics) as UTF-8 bytes outside the JS heap until their row
 * group is written (utf8-column.ts), and skips the dictionary trial of the columns whose values
 * rarely repeat (parquet-column-options.ts PLAIN_COLUMNS). What the files hold does not change:
 * DuckDB and hyparquet read every value back as the transform produced it, and those bytes still
 * count against the row-group bounds.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { CALLS_SCHEMA, type Row, WEBHOOKS_SCHEMA } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAIN_COLUMNS } from '../src/parquet-column-options.js';
import { duck, hyparquetCompressors, simulatedLogs, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
const logs = simulatedLogs(120, 21);
beforeAll(async () => {
  dir = await tempDir('long-text');
});
afterAll(() => dir.remove());

/** Calls rows whose text columns also hold the awkward cases: empty, null, non-Latin-1, 300 KB. */
function callsRows(): Row[] {
  const rows = logs.map((l) => ({ ...l.tables.calls[0]! }));
  rows[3]!['transcript'] = '';
  rows[4]!['transcript'] = null;
  rows[5]!['call_conversation'] = `Bot: नमस्ते 🚀 ${'é'.repeat(50_000)}`;
  rows[6]!['transcript'] = `User: ${'长'.repeat(100_000)}`;
  rows[7]!['recording_url'] = 'https://example.test/r?sig=€';
  rows[8]!['extracted_variables'] = null;
  return rows;
}

async function write(name: string, schema: typeof CALLS_SCHEMA, rows: Row[], options = {}): Promise<string> {
  const path = join(dir.path, `${name}.parquet`);
  await pipeline(Readable.from(rows), createParquetWriter({ schema, destination: path, ...options }));
  return path;
}

const TEXT = [
  'call_conversation',
  'transcript',
  'recording_url',
  'internal_recording_url',
  'extracted_variables',
];

describe('Parquet long-text columns', () => {
  it('DuckDB and hyparquet read every transcript, link and JSON text back as written, across row groups', async () => {
    const rows = callsRows();
    // 7 rows per row group: the byte buffer is emptied and grown again many times, past its first 4 KiB.
    const path = await write('calls', CALLS_SCHEMA, rows, { rowGroupRows: 7 });
    const expected = rows.map((r) =>
      Object.fromEntries([['id', String(r['id'])], ...TEXT.map((c) => [c, r[c]])]),
    );
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      Number(a['id']) - Number(b['id']);
    const fromDuck = await duck(`SELECT id::VARCHAR AS id, ${TEXT.join(', ')} FROM read_parquet('${path}')`);
    expect(fromDuck.sort(byId)).toEqual([...expected].sort(byId));
    const { parquetReadObjects, asyncBufferFromFile } = await import('hyparquet');
    const fromHyparquet = await parquetReadObjects({
      file: await asyncBufferFromFile(path),
      columns: ['id', ...TEXT],
      compressors: await hyparquetCompressors(),
    });
    const normalised = fromHyparquet.map((r) => ({ ...r, id: String(r['id']) }));
    expect(normalised).toEqual(expected);
  });

  it('webhook payloads read back as written', async () => {
    const rows = logs.flatMap((l) => l.tables.webhooks);
    expect(rows.filter((r) => typeof r['payload'] === 'string').length).toBeGreaterThan(50);
    const path = await write('webhooks', WEBHOOKS_SCHEMA, rows, { rowGroupRows: 25 });
    const back = await duck(`SELECT payload FROM read_parquet('${path}')`);
    expect(back.map((r) => r['payload'])).toEqual(rows.map((r) => r['payload']));
  });

  it('long text held as bytes still counts against rowGroupBytes', async () => {
    const rows = callsRows().map((r) => ({ ...r, transcript: 'x'.repeat(100_000) }));
    const path = await write('bounded', CALLS_SCHEMA, rows.slice(0, 20), { rowGroupBytes: 512 * 1024 });
    const [r] = await duck(`SELECT count(DISTINCT row_group_id)::INT AS n FROM parquet_metadata('${path}')`);
    // 2 MB of transcripts under a 512 KiB bound: at least 4 row groups (one if uncounted).
    expect(r!['n']).toBeGreaterThanOrEqual(4);
  });

  it('columns whose values rarely repeat are written without a dictionary; labels keep theirs', async () => {
    // Every row a copy of the first but for its id: a dictionary would win in every column, so
    // only the declared policy keeps one out of the PLAIN columns.
    const first = logs[0]!.tables.calls[0]!;
    const rows = logs.map((l) => ({ ...first, id: l.tables.calls[0]!['id']! }));
    const path = await write('encodings', CALLS_SCHEMA, rows);
    const chunks = await duck(
      `SELECT path_in_schema AS name, encodings, dictionary_page_offset FROM parquet_metadata('${path}')`,
    );
    const byName = new Map(chunks.map((r) => [String(r['name']), r]));
    for (const name of PLAIN_COLUMNS.calls) {
      expect(byName.get(name)?.['dictionary_page_offset'], name).toBeNull();
      expect(String(byName.get(name)?.['encodings']), name).not.toMatch(/DICTIONARY/);
    }
    for (const label of ['call_status', 'bot_name', 'call_date']) {
      expect(String(byName.get(label)?.['encodings']), label).toMatch(/RLE_DICTIONARY/);
    }
  });
});

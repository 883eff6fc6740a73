import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  compileNdjsonEncoder,
  createNdjsonWriter,
  encodeNdjson,
  type NdjsonWriter,
  SinkError,
} from '@omnidim-stream/sinks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_TYPES_SCHEMA, AWKWARD_ROWS, listFiles, tempDir } from './helpers.js';

/** What a line must hold, derived from the row by the schema's rules (not by the encoder). */
function expectedObject(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of ALL_TYPES_SCHEMA.columns) {
    const v = row[c.name];
    out[c.name] = v === undefined || v === null ? null : v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

function parseLines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function finish(writer: NdjsonWriter): Promise<void> {
  writer.end();
  await once(writer, 'finish');
}

describe('compiled NDJSON encoder', () => {
  it('writes every awkward row as one line, keys in schema order, values per the schema', () => {
    const encode = compileNdjsonEncoder(ALL_TYPES_SCHEMA);
    const lines = parseLines(encode(AWKWARD_ROWS));
    expect(lines).toEqual(AWKWARD_ROWS.map(expectedObject));
    for (const line of lines) expect(Object.keys(line)).toEqual(ALL_TYPES_SCHEMA.columns.map((c) => c.name));
    // The one-shot function is the same encoder.
    expect(encodeNdjson(ALL_TYPES_SCHEMA, AWKWARD_ROWS)).toBe(encode(AWKWARD_ROWS));
  });

  it('writes a missing nullable value as null and rejects what the column cannot hold', () => {
    const encode = compileNdjsonEncoder(ALL_TYPES_SCHEMA);
    expect(parseLines(encode([{ id: 1 }]))).toEqual([expectedObject({ id: 1 })]);
    expect(() => encode([{ id: null }])).toThrow(SinkError);
    expect(() => encode([{ id: 1.5 }])).toThrow(/"id" \(int64\)/);
    expect(() => encode([{ id: 1, score: Number.NaN }])).toThrow(/"score" \(float64\)/);
    expect(() => encode([{ id: 1, ok: 'yes' }])).toThrow(/"ok" \(boolean\)/);
    expect(() => encode([{ id: 1, at: new Date('nope') }])).toThrow(/"at" \(timestamp\)/);
    expect(() => encode([{ id: 1, text: 5 }])).toThrow(/"text" \(string\)/);
  });

  it("embeds json columns as values with jsonColumns 'embed'", () => {
    const [line] = parseLines(compileNdjsonEncoder(ALL_TYPES_SCHEMA, 'embed')([AWKWARD_ROWS[0]!]));
    expect(line!['payload']).toEqual(JSON.parse(String(AWKWARD_ROWS[0]!.payload)));
  });
});

describe('writeRows and direct (non-atomic) files', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir('batched');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('batches and single rows mix in order; bytes and sha256 match the file', async () => {
    const destination = join(dir.path, 'rows.ndjson');
    const writer = createNdjsonWriter({ schema: ALL_TYPES_SCHEMA, destination });
    // Enough non-Latin-1 text to span several encoded chunks.
    const many = Array.from({ length: 3000 }, (_, i) => ({
      id: 100 + i,
      text: `ligne ${i} — 日本語 🚀 `.repeat(5),
    }));
    const sent: Record<string, unknown>[] = [];
    const batches = [AWKWARD_ROWS.slice(0, 3), many, AWKWARD_ROWS.slice(3)];
    for (const batch of batches) {
      if (!writer.writeRows(batch)) await once(writer, 'drain');
      sent.push(...batch);
      const single = { id: 10_000 + sent.length, text: 'single' };
      if (!writer.write(single)) await once(writer, 'drain');
      sent.push(single);
    }
    await finish(writer);
    const bytes = await readFile(destination);
    expect(parseLines(bytes.toString('utf8'))).toEqual(sent.map(expectedObject));
    const result = writer.result();
    expect(result.rows).toBe(sent.length);
    expect(result.bytes).toBe(bytes.length);
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('atomic: false writes under the final name and destroy() removes the partial file', async () => {
    const destination = join(dir.path, 'direct.ndjson');
    const writer = createNdjsonWriter({ schema: ALL_TYPES_SCHEMA, destination, atomic: false });
    await once(writer, 'ready');
    writer.writeRows(AWKWARD_ROWS);
    expect(await listFiles(dir.path)).toEqual(['direct.ndjson']);
    writer.destroy();
    await once(writer, 'close');
    expect(await listFiles(dir.path)).toEqual([]);

    const kept = createNdjsonWriter({ schema: ALL_TYPES_SCHEMA, destination, atomic: false });
    kept.writeRows(AWKWARD_ROWS);
    await finish(kept);
    expect(await listFiles(dir.path)).toEqual(['direct.ndjson']);
    expect(parseLines(await readFile(destination, 'utf8'))).toEqual(AWKWARD_ROWS.map(expectedObject));
  });
});

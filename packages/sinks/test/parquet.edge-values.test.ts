/**
 * Hostile cases from the review of 2026-12-01: the Parquet writer's off-heap buffers (number-column.ts: Float64Array with NaN as
 * null; utf8-column.ts: long text as UTF-8 bytes) read back value for value by DuckDB and
 * hyparquet: -0, ±(2^53-1), extreme doubles, empty vs null text, lone surrogates (as U+FFFD, like
 * every UTF-8 encoder), 4-byte UTF-8, a 6 MB transcript, row groups cut by rowGroupBytes mid-batch.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { CALLS_SCHEMA, type Row } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duck, hyparquetCompressors, simulatedLogs, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('r28-pq');
});
afterAll(() => dir.remove());

const MAX = Number.MAX_SAFE_INTEGER;
const FLOATS = [
  -0,
  0,
  5e-324,
  -5e-324,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  0.1 + 0.2,
  2 ** 53 + 2,
  null,
];
const INTS = [MAX, -MAX, 0, -0, 1, null, 2 ** 52 + 1, -1, 123];
const TEXTS = [
  '',
  null,
  '\uD800 lone high',
  'lone low \uDC00 end',
  '🚀𝄞 4-byte',
  'x'.repeat(6 * 1024 * 1024) + '€',
  '\u0000nul',
  'é',
  'plain',
];

function rows(): Row[] {
  const logs = simulatedLogs(FLOATS.length, 33);
  return logs.map((l, i) => ({
    ...l.tables.calls[0]!,
    id: i + 1,
    cqs_score: FLOATS[i]!,
    prompt_tokens: INTS[i]!,
    transcript: TEXTS[i]!,
    bot_name: TEXTS[i] === null || TEXTS[i]!.length > 100 ? TEXTS[i]! : TEXTS[i]!,
  }));
}

const wellFormed = (s: string | null) => (s === null ? null : Buffer.from(s, 'utf8').toString('utf8'));

describe('Parquet edge values', () => {
  for (const options of [{}, { rowGroupBytes: 1024 * 1024 }, { rowGroupRows: 2 }]) {
    it(`read back identical (${JSON.stringify(options)})`, async () => {
      const input = rows();
      const path = join(dir.path, `edges-${Object.keys(options).join('') || 'default'}.parquet`);
      await pipeline(
        Readable.from(input),
        createParquetWriter({ schema: CALLS_SCHEMA, destination: path, ...options }),
      );
      const fromDuck = await duck(
        `SELECT id::BIGINT::VARCHAR AS id, cqs_score, prompt_tokens::VARCHAR AS prompt_tokens, transcript, bot_name FROM read_parquet('${path}') ORDER BY id::BIGINT`,
      );
      const { parquetReadObjects, asyncBufferFromFile } = await import('hyparquet');
      const fromHyp = await parquetReadObjects({
        file: await asyncBufferFromFile(path),
        columns: ['id', 'cqs_score', 'prompt_tokens', 'transcript', 'bot_name'],
        compressors: await hyparquetCompressors(),
      });
      for (let i = 0; i < input.length; i++) {
        const r = input[i]!;
        const d = fromDuck[i]!;
        const h = fromHyp[i]!;
        const label = `row ${i}`;
        expect(
          Object.is(Number(d['cqs_score'] ?? Number.NaN), r['cqs_score'] ?? Number.NaN),
          `${label} duck float ${String(d['cqs_score'])}`,
        ).toBe(true);
        expect(
          Object.is(h['cqs_score'] ?? Number.NaN, r['cqs_score'] ?? Number.NaN),
          `${label} hyparquet float ${String(h['cqs_score'])}`,
        ).toBe(true);
        const int = r['prompt_tokens'] === null ? null : String(BigInt(r['prompt_tokens'] as number));
        expect(d['prompt_tokens'], label).toBe(int);
        expect(h['prompt_tokens'] === null ? null : String(h['prompt_tokens']), label).toBe(int);
        for (const c of ['transcript', 'bot_name']) {
          expect(d[c] === wellFormed(r[c] as string | null), `${label} duck ${c}`).toBe(true);
          expect(h[c] === wellFormed(r[c] as string | null), `${label} hyparquet ${c}`).toBe(true);
        }
      }
      if ('rowGroupBytes' in options) {
        const [g] = await duck(
          `SELECT count(DISTINCT row_group_id)::INT AS n FROM parquet_metadata('${path}')`,
        );
        expect(g!['n']).toBeGreaterThanOrEqual(2);
      }
    }, 120_000);
  }
});

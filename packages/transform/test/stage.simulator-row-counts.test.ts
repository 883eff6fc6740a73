/**
 * Thousands of simulator call logs streamed through both stream adapters: the row counts per
 * table equal the sums of the nested arrays, computed independently from the raw logs; broken
 * records are quarantined on the side channel without stopping the stream.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generateCallLog } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import {
  createFlattenStats,
  createFlattenStream,
  type FlatCallLog,
  flattenCallLogs,
  flattenStage,
  type QuarantinedRecord,
  TABLE_NAMES,
  type TableName,
} from '../src/index.js';

const SEED = 11;
const COUNT = 3000;

function* simulatorLogs(): Generator<unknown> {
  for (let i = 0; i < COUNT; i++) yield generateCallLog(SEED, i);
}

/** Expected rows per table, from the raw nested arrays. */
function expectedCounts(): Record<TableName, number> {
  const out = { calls: 0, interactions: 0, function_calls: 0, webhooks: 0 };
  for (const raw of simulatorLogs()) {
    const log = raw as Record<string, unknown>;
    out.calls++;
    const interactions = Array.isArray(log['interactions'])
      ? (log['interactions'] as Record<string, unknown>[])
      : [];
    out.interactions += interactions.length;
    for (const i of interactions) {
      if (Array.isArray(i['function_call_data']))
        out.function_calls += (i['function_call_data'] as unknown[]).length;
    }
    const actions = log['post_call_actions'] as Record<string, unknown>;
    out.webhooks += (actions['call_recording_webhook_ids'] as unknown[]).length;
  }
  return out;
}

/** An object-mode sink counting rows and checking natural keys are unique. */
function countingSink(counts: Record<TableName, number>, keys: Set<string>, texts: string[]): Writable {
  return new Writable({
    objectMode: true,
    write(flat: FlatCallLog, _enc, callback) {
      for (const table of TABLE_NAMES) {
        for (const row of flat.tables[table]) {
          counts[table]++;
          const key =
            table === 'calls'
              ? `calls|${row['id']}`
              : table === 'interactions'
                ? `interactions|${row['call_id']}|${row['id']}|${row['interaction_sequence']}`
                : table === 'function_calls'
                  ? `function_calls|${row['call_id']}|${row['interaction_id']}|${row['position']}`
                  : `webhooks|${row['call_id']}|${row['id']}`;
          keys.add(key);
        }
      }
      for (const w of flat.tables.webhooks) texts.push(String(w['payload']));
      callback();
    },
  });
}

const zero = () => ({ calls: 0, interactions: 0, function_calls: 0, webhooks: 0 });

describe('flatten stages over thousands of simulator call logs', () => {
  const expected = expectedCounts();

  it('the simulator history is big and nested enough for the check to mean something', () => {
    expect(expected.calls).toBe(COUNT);
    expect(expected.interactions).toBeGreaterThan(COUNT);
    expect(expected.function_calls).toBeGreaterThan(100);
    expect(expected.webhooks).toBeGreaterThan(1000);
  });

  it('pipeline() with the async-generator stage: counts match the nested arrays', async () => {
    const counts = zero();
    const keys = new Set<string>();
    const payloads: string[] = [];
    const stats = createFlattenStats();
    await pipeline(
      Readable.from(simulatorLogs()),
      (source: AsyncIterable<unknown>) => flattenCallLogs(source, { stats }),
      countingSink(counts, keys, payloads),
    );
    expect(counts).toEqual(expected);
    expect(stats.rows).toEqual(expected);
    expect(stats.records).toBe(COUNT);
    expect(stats.flattened).toBe(COUNT);
    expect(stats.quarantined).toBe(0);
    expect(keys.size).toBe(
      expected.calls + expected.interactions + expected.function_calls + expected.webhooks,
    );
    // Every simulated payload carries a secret_key_ token: none survives.
    expect(payloads.length).toBe(expected.webhooks);
    expect(payloads.every((p) => !/secret_key_(?!\[REDACTED\])/.test(p))).toBe(true);
  });

  it('createFlattenStream(): counts match, broken records go to the side channel, never fatal', async () => {
    // Object-mode streams cannot carry null itself; a bare string stands in for "not an object".
    const broken: unknown[] = ['garbage', [1, 2], { bot_name: 'no id' }, { id: 'abc' }];
    function* mixed(): Generator<unknown> {
      let i = 0;
      for (const log of simulatorLogs()) {
        yield log;
        if (i++ % 1000 === 500) yield broken[(i / 1000) | 0];
      }
      yield broken[3];
    }
    const fromCallback: QuarantinedRecord[] = [];
    const fromEvent: QuarantinedRecord[] = [];
    const stream = createFlattenStream({ onQuarantine: (q) => fromCallback.push(q) });
    stream.on('quarantine', (q: QuarantinedRecord) => fromEvent.push(q));
    const counts = zero();
    await pipeline(Readable.from(mixed()), stream, countingSink(counts, new Set(), []));
    expect(counts).toEqual(expected);
    expect(stream.stats.rows).toEqual(expected);
    expect(stream.stats.records).toBe(COUNT + 4);
    expect(stream.stats.quarantined).toBe(4);
    expect(fromEvent.map((q) => q.reason)).toEqual([
      'NOT_AN_OBJECT',
      'NOT_AN_OBJECT',
      'MISSING_ID',
      'INVALID_ID',
    ]);
    expect(fromCallback).toEqual(fromEvent);
  });

  it('flattenStage() over an iterable quarantines null too, and keeps going', async () => {
    const seen: string[] = [];
    const out: number[] = [];
    const stage = flattenStage({ onQuarantine: (q) => seen.push(q.reason) });
    for await (const flat of stage([null, { id: 4 }, undefined, { id: '5' }])) out.push(flat.callId);
    expect(out).toEqual([4, 5]);
    expect(seen).toEqual(['NOT_AN_OBJECT', 'NOT_AN_OBJECT']);
  });

  it('flattenStage() validates options before reading the source', () => {
    expect(() => flattenStage({ timeZone: 'Not/AZone' })).toThrow(/timeZone/);
    expect(() => createFlattenStream({ onQuarantine: 'log' as never })).toThrow(/onQuarantine/);
  });
});

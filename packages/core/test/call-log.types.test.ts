/**
 * The typed API (issue 15): `CallLog` accepts the API's documented example as it comes (empty
 * values as `false`, unknown fields), every entry point yields `CallLog`, and `CallLogStats` and
 * the checkpoint travel without casts. The type assertions are checked by `tsc -p tsconfig.json`
 * (the typecheck step); the runtime half reads a real simulator on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../simulator/src/index.js';
import type { CallLog, CallLogCheckpoint, CallLogPage, CallLogStats } from '../src/index.js';
import { callLogs, paginateCallLogPages, paginateCallLogs } from '../src/index.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A function a user might write: takes stats and a checkpoint, no casts needed to call it. */
function summarise(stats: CallLogStats, checkpoint: CallLogCheckpoint | undefined): string {
  return `${stats.records} record(s), ${stats.pagesFetched} page(s), at ${checkpoint?.position ?? 0}`;
}

describe('typed call logs', () => {
  it('accepts empty values (false, null) and unknown fields as the API sends them', () => {
    // Shapes from the documented example page (packages/transform/test/fixtures/example-page.json).
    const sample = {
      id: 50958,
      time_of_call: '05/04/2026 14:46:15',
      recording_url: false,
      hangup_reason: null,
      call_request_id: { id: false, type_of_request: '' },
      interactions: [{ id: 88247, interaction_sequence: 1, function_call_data: false }],
      extracted_variables: { industry: 'Not provided' },
      a_field_added_later: { anything: [1, 'two'] },
    } satisfies CallLog;
    expectTypeOf(sample).toExtend<CallLog>();
    expectTypeOf<CallLog['recording_url']>().toEqualTypeOf<string | false | null | undefined>();
    expectTypeOf<CallLog['call_duration_in_seconds']>().toEqualTypeOf<number | false | null | undefined>();
    expectTypeOf<CallLog['a_field_added_later']>().toEqualTypeOf<unknown>();
    // Every field is optional: an empty object is a call log.
    expectTypeOf({}).toExtend<CallLog>();

    const url = new URL('../../transform/test/fixtures/example-page.json', import.meta.url);
    const page: CallLogPage = JSON.parse(readFileSync(url, 'utf8'));
    const call = page.call_log_data[0] as CallLog;
    expect(call.recording_url).toBe(false);
    expect(call.id).toBe(50958);
  });

  it('every entry point yields CallLog and exposes CallLogStats without casts', async () => {
    sim = await startSimulator({ records: 12 });
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 5 };

    const stream = callLogs(options);
    const fromStream: CallLog[] = [];
    for await (const call of stream) {
      expectTypeOf(call).toEqualTypeOf<CallLog>();
      fromStream.push(call);
    }
    expectTypeOf(stream.stats).toEqualTypeOf<CallLogStats>();

    const records = paginateCallLogs(options);
    const fromGenerator: CallLog[] = [];
    for await (const call of records) {
      expectTypeOf(call).toEqualTypeOf<CallLog>();
      fromGenerator.push(call);
    }

    const pages = paginateCallLogPages(options);
    let pageRecords = 0;
    for await (const page of pages) {
      expectTypeOf(page.records).toEqualTypeOf<CallLog[]>();
      pageRecords += page.records.length;
    }

    expect(fromStream.map((c) => c.id)).toEqual(fromGenerator.map((c) => c.id));
    expect(fromStream).toHaveLength(12);
    expect(pageRecords).toBe(12);
    expect(summarise(stream.stats, stream.checkpoint)).toBe('12 record(s), 3 page(s), at 12');
    expect(summarise(records.stats, records.checkpoint)).toBe('12 record(s), 3 page(s), at 12');
  });
});

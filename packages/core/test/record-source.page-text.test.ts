/**
 * Issue 21: with `keepPageBody`, every call log core hands on carries its page's body (the JSON bytes
 * received) and its place in that page's `call_log_data` (`recordSourceOf`), so the engine's flatten workers
 * can decode and parse the page instead of the main thread serialising each call again. Checked against
 * the simulator under drift (refetched pages: a call's source is the response it came from) and
 * odd records; without the option no call has a source.
 */
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../src/errors.js';
import { recordSourceOf } from '../src/record-source.js';
import { callLogs } from '../src/stream.js';
import { collect } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('keepPageBody: recordSourceOf(call)', () => {
  it('gives, for every call handed on, a page body whose call_log_data[index] is that call', async () => {
    sim = await startSimulator({
      records: 400,
      seed: 7,
      oddRecords: { rate: 0.1 },
      drift: { insertPerPage: 2, deletePerPage: 1, maxInserted: 10 },
    });
    const stream = callLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 50,
      concurrency: 2,
      keepPageBody: true,
    });
    // Responses that handed calls on (pages and drift refetches/probes alike).
    let responses = 0;
    stream.on('page', (e) => {
      if (e.emitted > 0) responses += 1;
    });
    const calls = await collect(stream);
    const objects = calls.filter((c) => typeof c === 'object' && c !== null);
    expect(objects.length).toBeGreaterThan(380);
    const bodies = new Set<Uint8Array>();
    for (const call of objects) {
      const source = recordSourceOf(call);
      expect(source, JSON.stringify(call).slice(0, 80)).toBeDefined();
      const page = JSON.parse(Buffer.from(source!.body).toString('utf8')) as { call_log_data: unknown[] };
      expect(page.call_log_data[source!.index]).toEqual(call);
      bodies.add(source!.body);
    }
    // One body per response that handed calls on (a boundary probe can carry more than a page's
    // worth, so their number depends on how the drift interleaves: at least 7 here).
    expect(bodies.size).toBe(responses);
    expect(responses).toBeGreaterThanOrEqual(7);
  });

  it('remembers nothing without the option', async () => {
    sim = await startSimulator({ records: 60, seed: 3 });
    const calls = await collect(callLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 50 }));
    expect(calls).toHaveLength(60);
    expect(calls.filter((c) => recordSourceOf(c) !== undefined)).toEqual([]);
  });

  it('refuses a value that is not a boolean, naming the option, before any request', async () => {
    sim = await startSimulator({ records: 10, seed: 3 });
    const base = { apiKey: sim.apiKey, baseUrl: sim.url };
    expect(() => callLogs({ ...base, keepPageBody: 'yes' as never })).toThrow(InvalidOptionError);
    expect(() => callLogs({ ...base, keepPageBody: 1 as never })).toThrow(/"keepPageBody"/);
    expect(sim.stats.requests).toBe(0);
  });
});

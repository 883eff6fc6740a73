import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { generateHistory, type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallLog } from '../src/call-log.js';
import { completeness } from '../src/completeness.js';
import { paginateCallLogPages, paginateCallLogs } from '../src/paginate.js';
import { stopAtOrBelowId } from '../src/stop-rule.js';
import { collect, ids, quiesce } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** `MM/DD/YYYY HH:MM:SS` read as UTC: the caller's parser (core never parses dates). */
function instant(value: unknown): number | undefined {
  const m =
    typeof value === 'string' ? /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(value) : null;
  if (!m) return undefined;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
}

describe('stopWhen: newest-first incremental reads', () => {
  it('by id: hands on exactly the calls newer than the id, then ends without requesting more pages', async () => {
    sim = await startSimulator({ records: 400, pageLatencyMs: 5 });
    const all = sim.ids();
    const lastCommitted = all[57] as number; // 58th newest: on page 3 of 25
    const calls = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 25,
      concurrency: 3,
      stopWhen: stopAtOrBelowId(lastCommitted),
    });
    const got = ids(await collect(calls));
    expect(got).toEqual(all.slice(0, 57));
    expect(calls.stats).toMatchObject({
      stoppedEarly: true,
      stopReason: 'stopWhen',
      viewEnd: 57,
      records: 57,
    });
    // Page 3 held the stop; pages 4..7 (2 × (concurrency − 1) ahead) may have been prefetched,
    // nothing after.
    await quiesce(sim);
    expect(Math.max(...sim.stats.pagesRequested)).toBeLessThanOrEqual(3 + 2 * (3 - 1));
    const after = sim.stats.requests;
    await quiesce(sim);
    expect(sim.stats.requests).toBe(after);
    expect(completeness(calls.stats)).toMatchObject({ expected: 57, emitted: 57, missing: 0, proven: true });
  });

  it('by predicate on time_of_call (the caller parses it): stops at the first older call', async () => {
    sim = await startSimulator({ records: 300 });
    const everything = await collect(
      paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 40 }),
    );
    const since = instant(everything[123]?.time_of_call) as number;
    expect(since).toBeTypeOf('number');
    const older = (call: CallLog) => (instant(call.time_of_call) ?? Number.POSITIVE_INFINITY) < since;
    const expected = everything.slice(0, everything.findIndex(older));
    expect(expected.length).toBeGreaterThanOrEqual(123);

    const pages = paginateCallLogPages({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 40,
      stopWhen: older,
    });
    const got: CallLog[] = [];
    for await (const page of pages) got.push(...page.records);
    expect(ids(got)).toEqual(ids(expected));
    expect(pages.stats.stopReason).toBe('stopWhen');
    expect(pages.stats.viewEnd).toBe(expected.length);
  });

  it('a stop on the very first call hands on nothing; a rule that never fires reads to the end', async () => {
    sim = await startSimulator({ records: 90 });
    const none = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 30,
      stopWhen: () => true,
    });
    expect(await collect(none)).toEqual([]);
    expect(none.stats).toMatchObject({ stoppedEarly: true, stopReason: 'stopWhen', viewEnd: 0 });
    expect(sim.stats.pagesRequested.filter((p) => p > 1).length).toBeLessThanOrEqual(3);

    const all = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 30,
      stopWhen: () => false,
    });
    expect(ids(await collect(all))).toEqual(sim.ids());
    expect(all.stats).toMatchObject({ stoppedEarly: false, stopReason: undefined, viewEnd: 90 });
  });

  it('maxRecords reached before the stop rule is reported as maxRecords', async () => {
    sim = await startSimulator({ records: 200 });
    const all = sim.ids();
    const calls = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 30,
      maxRecords: 45,
      stopWhen: stopAtOrBelowId(all[100] as number),
    });
    expect(ids(await collect(calls))).toEqual(all.slice(0, 45));
    expect(calls.stats).toMatchObject({ stoppedEarly: true, stopReason: 'maxRecords', viewEnd: 45 });
    expect(completeness(calls.stats)).toMatchObject({ expected: 45, missing: 0 });
  });

  it('stopWhen must be a function (before any request)', async () => {
    sim = await startSimulator({ records: 10 });
    expect(() =>
      paginateCallLogs({ apiKey: sim?.apiKey ?? '', baseUrl: sim?.url, stopWhen: 5 as never }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', option: 'stopWhen' }));
    expect(sim.stats.requests).toBe(0);
  });
});

describe('stopWhen and the read-ahead', () => {
  it('once a stop is found, answers still in flight send no further page of the window', async () => {
    // Pages 1 and 2 answer at once, later pages after 200 ms: the stop is found on page 2 while
    // pages 3…6 are in flight, and their answers would otherwise each send the next window page.
    const calls = generateHistory(4, 300).reverse();
    const requested: number[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const pageno = Number(url.searchParams.get('pageno'));
      const size = Number(url.searchParams.get('pagesize'));
      requested.push(pageno);
      const body = JSON.stringify({
        call_log_data: calls.slice((pageno - 1) * size, pageno * size),
        total_records: calls.length,
      });
      setTimeout(() => res.end(body), pageno <= 2 ? 0 : 200);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const stopId = calls[15]!.id; // on page 2 of 10 calls
      const pages = paginateCallLogPages({
        apiKey: 'k',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
        pageSize: 10,
        concurrency: 4,
        stopWhen: (call) => call.id === stopId,
      });
      await pages.next();
      const second = await pages.next();
      expect(second.value?.records.length).toBe(5);
      // Held on the page with the stop while pages 3… answer. Sent before the stop: page 1, the
      // window's first 4 (pages 2…5, concurrency 4) and page 6 on page 2's answer; the window
      // reaches page 8 (2 + 2 × 3), so without the stop pages 7 and 8 would follow.
      await delay(500);
      expect([...requested].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await pages.next()).toMatchObject({ done: true });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

import { once } from 'node:events';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { abortableSleep } from '../src/abort.js';
import { paginateCallLogPages, paginateCallLogs } from '../src/paginate.js';
import { callLogs } from '../src/stream.js';
import { quiesce, untilListRequests } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const sorted = (pages: readonly number[]) => [...pages].sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('backpressure', () => {
  it('a consumer paused on page k has caused exactly k + 2 × (concurrency − 1) page requests, at most concurrency in flight', async () => {
    // 25 pages: the plan does not cut the read-ahead short; 5 ms per page keeps requests in
    // flight together long enough for the server to count them.
    sim = await startSimulator({ records: 500, pageLatencyMs: 5 });
    const concurrency = 4;
    const pages = paginateCallLogPages({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 20, concurrency });
    // Page 1 is fetched alone (it plans the export); its answer opens the window, and the
    // answers keep it full while page 1 is held: pages 1..1 + 6, never more.
    await pages.next();
    await untilListRequests(sim, 1 + 2 * (concurrency - 1));
    expect(sorted(sim.stats.pagesRequested)).toEqual(range(1, 1 + 2 * (concurrency - 1)));
    // Holding page 3: pages 1..3 consumed, 2 × (concurrency − 1) ahead of it.
    await pages.next();
    await pages.next();
    await untilListRequests(sim, 3 + 2 * (concurrency - 1));
    expect(sorted(sim.stats.pagesRequested)).toEqual(range(1, 3 + 2 * (concurrency - 1)));
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(concurrency);
    await pages.return(undefined);
  });

  it('concurrency 1 reads nothing ahead: holding page k, exactly k requests', async () => {
    // README "Parallel requests, any serve order": each page leaves once the one before it was
    // read (refetches included), which avoids the boundary ambiguity of parallel pages.
    sim = await startSimulator({ records: 500, pageLatencyMs: 5 });
    const pages = paginateCallLogPages({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 20,
      concurrency: 1,
    });
    await pages.next();
    await pages.next();
    await untilListRequests(sim, 2);
    expect(sim.stats.pagesRequested).toEqual([1, 2]);
    await pages.return(undefined);
  });

  it('a paused Readable stops fetching: its buffer plus the prefetch window', async () => {
    sim = await startSimulator({ records: 500 });
    const stream = callLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 5, concurrency: 3 });
    // Never read: the stream fills its 16-record buffer (pages 1..4) and stops.
    await once(stream, 'readable');
    await quiesce(sim);
    expect(stream.readableLength).toBe(16);
    // Holding page 4 (the 17th record's): at most 2 × (concurrency − 1) pages ahead of it.
    expect(sim.stats.listRequests).toBeLessThanOrEqual(Math.ceil(17 / 5) + 2 * (3 - 1));
    const before = sim.stats.listRequests;
    await quiesce(sim);
    expect(sim.stats.listRequests).toBe(before);
    stream.destroy();
    await once(stream, 'close');
  });
});

describe('early stop', () => {
  it('break stops every request, in flight ones included, and nothing is requested after', async () => {
    sim = await startSimulator({ records: 500, pageLatencyMs: 30 });
    const calls = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 10, concurrency: 6 });
    let n = 0;
    for await (const _ of calls) {
      n += 1;
      if (n === 15) break; // page 2, with pages up to 12 requested
    }
    await quiesce(sim);
    expect(sim.stats.inFlight).toBe(0);
    const after = sim.stats.requests;
    await quiesce(sim, 150);
    expect(sim.stats.requests).toBe(after);
    expect(after).toBeLessThanOrEqual(2 + 2 * (6 - 1));
  });

  it('destroy() on the Readable aborts in-flight requests and closes cleanly', async () => {
    sim = await startSimulator({ records: 500, pageLatencyMs: 200 });
    const stream = callLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 10, concurrency: 4 });
    const pageSeen = once(stream, 'page');
    stream.resume();
    await pageSeen;
    stream.destroy();
    await once(stream, 'close');
    await quiesce(sim);
    expect(sim.stats.inFlight).toBe(0);
    expect(stream.destroyed).toBe(true);
  });

  it('abort via signal during a retry sleep rejects with ABORTED and sends nothing more', async () => {
    sim = await startSimulator({ records: 50, faults: { plan: () => '503' } });
    const controller = new AbortController();
    let sleeping!: () => void;
    const asleep = new Promise<void>((resolve) => {
      sleeping = resolve;
    });
    const calls = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      signal: controller.signal,
      retry: { baseDelayMs: 600_000, maxDelayMs: 600_000 },
      sleep: (ms, signal) => {
        sleeping();
        return abortableSleep(ms, signal);
      },
    });
    const done = calls.next();
    await asleep;
    controller.abort();
    await expect(done).rejects.toMatchObject({ code: 'ABORTED', name: 'AbortError' });
    await quiesce(sim);
    expect(sim.stats.listRequests).toBe(1);
  });

  it('an already aborted signal sends no request', async () => {
    sim = await startSimulator({ records: 5 });
    const calls = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, signal: AbortSignal.abort() });
    await expect(calls.next()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(sim.stats.requests).toBe(0);
  });

  it('the Readable errors with ABORTED when its signal aborts', async () => {
    sim = await startSimulator({ records: 500, pageLatencyMs: 100 });
    const controller = new AbortController();
    const stream = callLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 10,
      signal: controller.signal,
    });
    stream.resume();
    await once(stream, 'page');
    controller.abort();
    const [error] = (await once(stream, 'error')) as [Error & { code: string }];
    expect(error.code).toBe('ABORTED');
    await quiesce(sim);
    expect(sim.stats.inFlight).toBe(0);
  });
});

/**
 * Hostile cases (from the review of 2026-11-30) of the read-ahead (2 × (concurrency − 1) pages ahead, answers refill the window)
 * and the stale-page exemption for pages requested before the last progress.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateHistory, type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { completeness } from '../src/completeness.js';
import { LimitExceededError } from '../src/errors.js';
import { paginateCallLogs } from '../src/paginate.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function drain(source: AsyncIterable<{ id?: unknown }>, perRecordMs = 0): Promise<number[]> {
  const out: number[] = [];
  let n = 0;
  for await (const r of source) {
    out.push(Number(r.id));
    n += 1;
    if (perRecordMs > 0 && n % 10 === 0) await sleep(perRecordMs);
  }
  return out;
}

describe('read-ahead under drift with a slow consumer (pages read long after they were fetched)', () => {
  const cases: [number, number, number, number][] = [];
  for (const c of [8])
    for (const [ins, del] of [
      [5, 0],
      [0, 5],
      [5, 5],
      [12, 3],
    ] as const)
      cases.push([c, ins, del, 10]);
  it.each(cases)(
    'concurrency %i, insert %i + delete %i per page, consumer %i ms/page: no surviving call missing unless not proven',
    async (concurrency, insertPerPage, deletePerPage, slow) => {
      sim = await startSimulator({
        records: 400,
        seed: concurrency * 7 + insertPerPage,
        drift: { insertPerPage, deletePerPage },
      });
      const start = sim.ids();
      const source = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 15, concurrency });
      let got: Set<number>;
      try {
        got = new Set(await drain(source, slow));
      } catch (error) {
        // A loud refusal is acceptable; record it.
        expect((error as { code?: string }).code, String(error)).toMatch(/DRIFT|LIMIT_EXCEEDED/);
        return;
      }
      const survivors = new Set(sim.ids());
      const skipped = start.filter((id) => survivors.has(id) && !got.has(id));
      const report = completeness(source.stats);
      if (report.proven) expect(skipped, report.reason).toEqual([]);
    },
    30_000,
  );
});

describe('bounds', () => {
  it('--concurrency 1 stays one page at a time (maxInFlight 1), also with a slow consumer', async () => {
    sim = await startSimulator({ records: 200, pageLatencyMs: 5 });
    const source = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 10, concurrency: 1 });
    const ids = await drain(source, 3);
    expect(ids).toHaveLength(200);
    expect(sim.stats.maxInFlight).toBe(1);
    // Never more than one page beyond the one asked for.
    expect(new Set(sim.stats.pagesRequested).size).toBe(sim.stats.pagesRequested.length);
  });

  it('--concurrency 1 under drift (refetches): still one request in flight, every survivor read', async () => {
    sim = await startSimulator({
      records: 300,
      pageLatencyMs: 3,
      drift: { insertPerPage: 4, deletePerPage: 4 },
    });
    const start = sim.ids();
    const source = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 15, concurrency: 1 });
    const got = new Set(await drain(source, 2));
    const survivors = new Set(sim.ids());
    expect(sim.stats.maxInFlight).toBe(1);
    expect(start.filter((id) => survivors.has(id) && !got.has(id))).toEqual([]);
  });

  it('a consumer paused on page k: at most k + 2(c−1) pages requested, at most c in flight', async () => {
    sim = await startSimulator({ records: 1000, pageLatencyMs: 10 });
    const source = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 10, concurrency: 4 });
    const it = source[Symbol.asyncIterator]();
    for (let i = 0; i < 25; i += 1) await it.next(); // on page 3
    await sleep(400);
    expect(Math.max(...sim.stats.pagesRequested)).toBeLessThanOrEqual(3 + 6);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(4);
    await it.return?.();
  });

  it('a consumer that breaks mid-page: nothing more is requested afterwards', async () => {
    sim = await startSimulator({ records: 1000, pageLatencyMs: 50 });
    const source = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 10, concurrency: 4 });
    let n = 0;
    for await (const _ of source) if (++n === 15) break;
    const after = sim.stats.listRequests;
    await sleep(400);
    expect(sim.stats.listRequests).toBe(after);
  });

  it('maxPages: no page beyond it is ever requested', async () => {
    sim = await startSimulator({ records: 1000 });
    const source = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 10,
      concurrency: 8,
      maxPages: 5,
    });
    await drain(source).catch(() => undefined);
    await sleep(100);
    expect(Math.max(...sim.stats.pagesRequested)).toBeLessThanOrEqual(5);
  });

  it('maxRecords mid page 2: exits with exactly maxRecords, no requests after the run', async () => {
    sim = await startSimulator({ records: 1000, pageLatencyMs: 20 });
    const source = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 10,
      concurrency: 8,
      maxRecords: 15,
    });
    const ids = await drain(source);
    expect(ids).toEqual(sim.ids().slice(0, 15));
    const after = sim.stats.listRequests;
    await sleep(300);
    expect(sim.stats.listRequests).toBe(after);
  });
});

describe('hostile servers at high concurrency', () => {
  async function hostile(
    handler: (pageno: number, n: number) => unknown,
    run: (url: string) => Promise<unknown>,
  ) {
    let requests = 0;
    const server = createServer((req, res) => {
      requests += 1;
      const pageno = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('pageno'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(handler(pageno, requests)));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const result = await run(`http://127.0.0.1:${port}/api/v1`);
      return { result, requests };
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it.each([2, 16])(
    'same page for every pageno, total 1e9, concurrency %i: LimitExceeded, bounded requests',
    async (concurrency) => {
      const calls = generateHistory(10, 3).reverse();
      const { result, requests } = await hostile(
        () => ({ call_log_data: calls, total_records: 1_000_000_000 }),
        (url) =>
          drain(
            paginateCallLogs({ apiKey: 'k', baseUrl: url, pageSize: 10, concurrency, maxStalePages: 4 }),
          ).catch((e: unknown) => e),
      );
      expect(result).toBeInstanceOf(LimitExceededError);
      // Bounded, not endless: the stale and idle-page limits (maxStalePages + ⌈150 ÷ page size⌉ + 1)
      // plus the read-ahead (2(c − 1)) and what is in flight (c). Measured 15–88 for c = 2…16; the
      // exact read-ahead bound is pinned by source.backpressure.test.ts.
      expect(requests).toBeLessThanOrEqual(6 * concurrency + 30);
    },
  );

  it.each([8])(
    'repeats the page with a growing total and slow consumer, concurrency %i: still bounded',
    async (concurrency) => {
      const calls = generateHistory(10, 3).reverse();
      const { result, requests } = await hostile(
        (_p, n) => ({ call_log_data: calls, total_records: 100 + n * 10 }),
        (url) =>
          drain(
            paginateCallLogs({ apiKey: 'k', baseUrl: url, pageSize: 10, concurrency, maxStalePages: 4 }),
            20,
          ).catch((e: unknown) => e),
      );
      expect(result).toBeInstanceOf(LimitExceededError);
      // The growing total reads as head insertions, so every page looks like catching up: the
      // idle-page bound of the stale guard ends it (before it, the hard page bound did, after 108
      // requests). Requests measured: 67 at c = 4, 96 at c = 8 (probes of the head included).
      expect(String(result)).toMatch(/Limit "maxStalePages"/);
      expect(requests).toBeLessThan(150);
    },
  );
});

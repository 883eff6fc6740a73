/**
 * Issue 11 item 4: paging ends when pages stop bringing new calls. A real loopback server answers
 * page 1 for every pageno with total_records 1e9 (the hostile case); the simulator's honest drift
 * must not trip the bound.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateHistory, startSimulator } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { isOmnidimError, LimitExceededError } from '../src/errors.js';
import { paginateCallLogs } from '../src/paginate.js';
import { StalePageGuard } from '../src/stale-pages.js';
import { collectIds } from './helpers.js';

describe('StalePageGuard', () => {
  it('throws on the limit-th stale page in a row, naming the pages and the option', () => {
    const guard = new StalePageGuard(3);
    guard.page(2, { handedOn: 0, catchingUp: false, total: 9 });
    guard.page(3, { handedOn: 0, catchingUp: false, total: 9 });
    expect(() => guard.page(4, { handedOn: 0, catchingUp: false, total: 9 })).toThrow(
      /maxStalePages.*pages 2 to 4/,
    );
  });

  it('a page that hands on calls, or catches up inside the covered part, restarts the count', () => {
    const guard = new StalePageGuard(2, 2);
    guard.page(2, { handedOn: 0, catchingUp: false, total: 9 });
    guard.page(3, { handedOn: 1, catchingUp: false, total: 9 });
    guard.page(4, { handedOn: 0, catchingUp: false, total: 9 });
    guard.page(5, { handedOn: 0, catchingUp: true, total: 9 });
    expect(() => guard.page(6, { handedOn: 0, catchingUp: false, total: 9 })).not.toThrow();
  });
});

describe('StalePageGuard: catching up is bounded', () => {
  it('pages that catch up but hand on nothing count against limit + allowance; progress restarts it', () => {
    const guard = new StalePageGuard(2, 3);
    for (const p of [2, 3, 4, 5]) guard.page(p, { handedOn: 0, catchingUp: true, total: 9 });
    guard.page(6, { handedOn: 1, catchingUp: true, total: 9 });
    for (const p of [7, 8, 9, 10]) guard.page(p, { handedOn: 0, catchingUp: true, total: 9 });
    expect(() => guard.page(11, { handedOn: 0, catchingUp: true, total: 9 })).toThrow(
      /maxStalePages.*pages 7 to 11/,
    );
  });
});

describe('StalePageGuard: pages read ahead', () => {
  it('a page requested before the last progress is not counted; one requested after it is', () => {
    const guard = new StalePageGuard(2);
    // Page 2 hands on calls when arrival 6 is the latest read: progress.
    guard.page(2, { handedOn: 10, catchingUp: false, total: 9, sentAfter: 1, seq: 6 });
    // Pages 3 and 4 left before arrival 6 (read ahead): stale-looking, not counted.
    guard.page(3, { handedOn: 0, catchingUp: false, total: 9, sentAfter: 2, seq: 7 });
    guard.page(4, { handedOn: 0, catchingUp: false, total: 9, sentAfter: 5, seq: 8 });
    // Pages 5 and 6 left after it: counted, the 2nd throws.
    guard.page(5, { handedOn: 0, catchingUp: false, total: 9, sentAfter: 6, seq: 9 });
    expect(() => guard.page(6, { handedOn: 0, catchingUp: false, total: 9, sentAfter: 9, seq: 10 })).toThrow(
      /maxStalePages.*pages 5 to 6/,
    );
  });
});

/** A 127.0.0.1 server answering `calls` for every pageno, `total_records` = `total(n)` on the n-th answer. */
async function repeatingServer(
  calls: unknown[],
  total: (n: number) => number,
): Promise<{ baseUrl: string; requests: () => number; close: () => void }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ call_log_data: calls, total_records: total(requests) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('paging a server that repeats itself', () => {
  it('the same page for every pageno, total_records 1e9: LimitExceededError after maxStalePages', async () => {
    const server = await repeatingServer(generateHistory(3, 10).reverse(), () => 1_000_000_000);
    try {
      const source = paginateCallLogs({
        apiKey: 'k',
        baseUrl: server.baseUrl,
        pageSize: 10,
        concurrency: 1,
        maxStalePages: 4,
      });
      const error = await collectIds(source).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LimitExceededError);
      expect(isOmnidimError(error) && error.code).toBe('LIMIT_EXCEEDED');
      expect((error as LimitExceededError).limit).toBe('maxStalePages');
      // Page 1 then 4 stale pages.
      expect(server.requests()).toBe(5);
      expect(source.stats.records).toBe(10);
    } finally {
      server.close();
    }
  });

  it('honest head insertions (3 per page served, page size 10) do not trip the default bound', async () => {
    const sim = await startSimulator({ records: 200, drift: { insertPerPage: 3 } });
    try {
      const view = sim.ids();
      const got = await collectIds(
        paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 10, concurrency: 4 }),
      );
      expect(got).toEqual(view);
    } finally {
      await sim.close();
    }
  });

  // Hostile review 2026-11-30: the growth reads as insertions at the head, so every page lies
  // inside the covered part ("catching up") and restarted the stale count: paged for hours.
  it.each([1, 4])(
    'the same page for every pageno while total_records grows by a page per answer (concurrency %i): LimitExceededError, bounded',
    async (concurrency) => {
      const server = await repeatingServer(generateHistory(10, 3).reverse(), (n) => 1_000_000 + 10 * n);
      try {
        const source = paginateCallLogs({
          apiKey: 'k',
          baseUrl: server.baseUrl,
          pageSize: 10,
          concurrency,
          // Probes of a larger size come back short and are retried: keep those waits short.
          retry: { baseDelayMs: 5, maxDelayMs: 20 },
        });
        const error = await collectIds(source).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LimitExceededError);
        expect((error as LimitExceededError).limit).toBe('maxStalePages');
        // Default limit 5 + allowance ceil(150 / 10) + 1 = 21 idle pages, plus page 1, the pages
        // read ahead and the refetches made on the way: far below the hard bound (200,000 pages).
        expect(server.requests()).toBeLessThan(200);
      } finally {
        server.close();
      }
    },
  );
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAULT_KINDS, type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetryEvent } from '../src/events.js';
import { paginateCallLogs } from '../src/paginate.js';
import { collect, fakeSleep, ids } from './helpers.js';

let sim: RunningSimulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('retries against the simulator', () => {
  // Every kind the simulator can inject, from its own list: a new kind gets a test here.
  const kinds = FAULT_KINDS;
  it.each(kinds)('recovers from %s on the first attempt of a page', async (kind) => {
    // Fault on the first request of page 2 only.
    let faulted = false;
    const plan = (_request: number, pageno: number) => {
      if (pageno !== 2 || faulted) return null;
      faulted = true;
      return kind;
    };
    sim = await startSimulator({
      records: 120,
      faults: {
        plan,
        slowBodyMs: 30,
        stallMs: 30,
        retryAfterSeconds: 0,
      },
    });
    const { delays, sleep } = fakeSleep();
    const retries: RetryEvent[] = [];
    const it = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 50,
      concurrency: 2,
      sleep,
      onRetry: (e) => retries.push(e),
    });
    const records = await collect(it);
    expect(ids(records)).toEqual(sim.ids());
    // 'slow' and 'stall' only delay a response (well inside the default timeout): no retry.
    const expectedRetries = kind === 'slow' || kind === 'stall' ? 0 : 1;
    expect(retries.length).toBe(expectedRetries);
    expect(delays.length).toBe(expectedRetries);
    expect(it.stats.retries).toBe(expectedRetries);
    if (expectedRetries) expect(retries[0]?.page).toBe(2);
    expect(sim.stats.faults[kind]).toBe(1);
  });

  it('honours Retry-After (seconds) up to the cap', async () => {
    sim = await startSimulator({
      records: 10,
      faults: { plan: (request) => (request <= 2 ? '429' : null), retryAfterSeconds: 7 },
    });
    const { delays, sleep } = fakeSleep();
    await collect(
      paginateCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        sleep,
        retry: { maxRetryAfterMs: 5000 },
        random: () => 0,
      }),
    );
    expect(delays).toEqual([5000, 5000]);
    const small = fakeSleep();
    await sim.close();
    sim = await startSimulator({
      records: 10,
      faults: { plan: (request) => (request === 1 ? '429' : null), retryAfterSeconds: 1 },
    });
    await collect(
      paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, sleep: small.sleep, random: () => 0 }),
    );
    expect(small.delays).toEqual([1000]);
  });

  it('fails with UNAUTHORIZED after exactly one request', async () => {
    sim = await startSimulator({ records: 10 });
    const it = paginateCallLogs({ apiKey: 'wrong-key', baseUrl: sim.url, concurrency: 8 });
    await expect(collect(it)).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401, page: 1 });
    expect(sim.stats.requests).toBe(1);
  });

  it('never retries a 403', async () => {
    let hits = 0;
    server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"Forbidden"}');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const it = paginateCallLogs({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}/api/v1` });
    await expect(collect(it)).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(hits).toBe(1);
  });

  it('retries a 500 at most limit500 times and names the page when giving up', async () => {
    sim = await startSimulator({
      records: 100,
      faults: { plan: (_r, pageno) => (pageno === 2 ? '500' : null) },
    });
    const { sleep } = fakeSleep();
    const it = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 50,
      concurrency: 1,
      sleep,
      retry: { limit500: 2 },
    });
    const error = await collect(it).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RETRY_EXHAUSTED', page: 2, status: 500, attempts: 3 });
    expect((error as Error).message).toContain('page 2');
    expect(((error as Error).cause as { code: string }).code).toBe('HTTP_STATUS');
    expect(sim.stats.pagesRequested.filter((p) => p === 2).length).toBe(3);
  });

  it('gives up after retry.limit attempts with RETRY_EXHAUSTED naming the page and the last cause', async () => {
    sim = await startSimulator({
      records: 100,
      faults: { plan: (_r, pageno) => (pageno === 1 ? 'html200' : null) },
    });
    const { sleep } = fakeSleep();
    const it = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, sleep, retry: { limit: 3 } });
    const error = (await collect(it).catch((e: unknown) => e)) as Error & { page: number; attempts: number };
    expect(error).toMatchObject({ code: 'RETRY_EXHAUSTED', page: 1, attempts: 4 });
    expect(error.message).toMatch(/page 1.*HTML/);
    expect(sim.stats.listRequests).toBe(4);
  });
});

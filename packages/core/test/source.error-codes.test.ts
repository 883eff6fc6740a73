/**
 * Every request failure surfaces with its own stable `code` (README "Library": branch on `code`).
 * Each test provokes one failure against a real server on 127.0.0.1 and asserts the code, so a
 * broken timeout, a misfiled socket error or a swallowed bound fails here by name.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { paginateCallLogs } from '../src/paginate.js';
import { collect, fakeSleep } from './helpers.js';

let sim: RunningSimulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** The error a whole export ends with (the test fails if it ends without one). */
async function failureOf(iterable: AsyncIterable<unknown>): Promise<Error & { code?: string }> {
  const error = await collect(iterable).then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );
  if (error === undefined) throw new Error('the export succeeded; expected it to fail');
  return error;
}

/** `cause.code` of a RETRY_EXHAUSTED error: the failure that used up the retries. */
function causeCode(error: Error): unknown {
  return (error.cause as { code?: unknown } | undefined)?.code;
}

/** A loopback server answering every request with `handler`. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}

describe('request failures carry their own error code', () => {
  // The stall (20 s) is far above the timeout (100 ms) and below the test timeout only when the
  // timeout works: a timeout scaled up by any factor ≥ 200 leaves this test hanging and failing.
  it('TIMEOUT: response headers held back longer than timeoutMs', async () => {
    sim = await startSimulator({ records: 10, faults: { plan: () => 'stall', stallMs: 20_000 } });
    const error = await failureOf(
      paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, timeoutMs: 100, retry: { limit: 0 } }),
    );
    expect(error.code).toBe('RETRY_EXHAUSTED');
    expect(causeCode(error)).toBe('TIMEOUT');
    expect(error.message).toContain('timed out after 100 ms');
  });

  it('TIMEOUT: a body that stalls after the headers, longer than timeoutMs', async () => {
    sim = await startSimulator({ records: 50, faults: { plan: () => 'slow', slowBodyMs: 20_000 } });
    const error = await failureOf(
      paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, timeoutMs: 150, retry: { limit: 0 } }),
    );
    expect(error.code).toBe('RETRY_EXHAUSTED');
    expect(causeCode(error)).toBe('TIMEOUT');
  });

  it('NETWORK: nothing listens on the port (connection refused)', async () => {
    // Take a free port, then close it: connecting to it is refused.
    const url = await serve(() => undefined);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const error = await failureOf(paginateCallLogs({ apiKey: 'k', baseUrl: url, retry: { limit: 0 } }));
    expect(error.code).toBe('RETRY_EXHAUSTED');
    expect(causeCode(error)).toBe('NETWORK');
  });

  it('NETWORK: the connection is reset before any response byte', async () => {
    sim = await startSimulator({ records: 10, faults: { plan: () => 'reset' } });
    const error = await failureOf(
      paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, retry: { limit: 0 } }),
    );
    expect(error.code).toBe('RETRY_EXHAUSTED');
    expect(causeCode(error)).toBe('NETWORK');
  });

  it('INVALID_RESPONSE: a complete 200 whose JSON is broken', async () => {
    const body = '{"call_log_data": [{"id": 1}, {"id": 2';
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const error = await failureOf(paginateCallLogs({ apiKey: 'k', baseUrl: url, retry: { limit: 0 } }));
    expect(error.code).toBe('RETRY_EXHAUSTED');
    expect(causeCode(error)).toBe('INVALID_RESPONSE');
  });

  it('LIMIT_EXCEEDED: an export that needs more pages than maxPages', async () => {
    sim = await startSimulator({ records: 100 });
    const error = await failureOf(
      paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 10, maxPages: 3 }),
    );
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toContain('maxPages');
  });
});

describe('Retry-After is honoured on 503 as on 429', () => {
  it('waits the Retry-After of a 503, not the (much shorter) computed backoff', async () => {
    sim = await startSimulator({
      records: 10,
      faults: {
        plan: (request) => (request === 1 ? '503' : null),
        retryAfterSeconds: 7,
        retryAfterOn503: true,
      },
    });
    const { delays, sleep } = fakeSleep();
    // random 0.5 would give a 250 ms backoff (half of the 500 ms base): only Retry-After gives 7000.
    await collect(paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, sleep, random: () => 0.5 }));
    expect(delays).toEqual([7000]);
    expect(sim.stats.faults['503']).toBe(1);
  });

  it('really waits at least Retry-After between the 503 and the retry (server-side timestamps)', async () => {
    const arrivals: number[] = [];
    sim = await startSimulator({
      records: 10,
      faults: {
        plan: (request) => {
          arrivals.push(performance.now());
          return request === 1 ? '503' : null;
        },
        retryAfterSeconds: 1,
        retryAfterOn503: true,
      },
    });
    await collect(paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, random: () => 0 }));
    expect(arrivals).toHaveLength(2);
    // A lower bound only: how much longer the machine took is not this test's business.
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(1000 - 5);
  });
});

import { inspect } from 'node:util';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { paginateCallLogPages, paginateCallLogs } from '../src/paginate.js';
import { callLogs } from '../src/stream.js';
import { fakeSleep } from './helpers.js';

const KEY = 'sk-LEAKCHECK-123';
let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function expectNoKey(value: unknown) {
  expect(JSON.stringify(value) ?? '').not.toContain(KEY);
  expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(KEY);
  if (value instanceof Error) {
    expect(value.message).not.toContain(KEY);
    expect(String(value.stack)).not.toContain(KEY);
    for (const k of Object.keys(value))
      expect(String((value as unknown as Record<string, unknown>)[k])).not.toContain(KEY);
  }
}

async function failure(iterable: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of iterable) {
    }
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('options are validated before any request', () => {
  it.each([
    ['pageSize', { pageSize: 200 }],
    ['concurrency', { concurrency: 0 }],
    ['filters.callStatus', { filters: { callStatus: 'no_answer' } }],
    ['filters.agentId', { filters: { agentId: 1.5 } }],
    ['retry.limit', { retry: { limit: -1 } }],
    ['maxPages', { maxPages: 0 }],
    ['timeoutMs', { timeoutMs: -5 }],
  ])('%s: throws INVALID_OPTION from every entry point, 0 requests', async (option, extra) => {
    sim = await startSimulator({ records: 10 });
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, ...extra } as never;
    for (const open of [paginateCallLogs, paginateCallLogPages, callLogs]) {
      expect(() => open(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', option }));
    }
    expect(sim.stats.requests).toBe(0);
  });

  it('refuses a non-loopback http base URL', () => {
    expect(() => paginateCallLogs({ apiKey: KEY, baseUrl: 'http://backend.omnidim.io/api/v1' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', option: 'baseUrl' }),
    );
  });
});

describe('the API key never leaks', () => {
  it('not in a 401 error', async () => {
    sim = await startSimulator({ records: 10, apiKey: 'the-right-key' });
    const error = await failure(paginateCallLogs({ apiKey: KEY, baseUrl: sim.url }));
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expectNoKey(error);
  });

  it('not in retry/page/progress/drift events, nor in exhausted-retry or network errors', async () => {
    sim = await startSimulator({
      records: 60,
      apiKey: KEY,
      drift: { insertPerPage: 2 },
      faults: { plan: (request, pageno) => (pageno === 3 ? 'reset' : request % 2 === 0 ? 'truncate' : null) },
    });
    const events: unknown[] = [];
    const { sleep } = fakeSleep();
    const stream = callLogs({ apiKey: KEY, baseUrl: sim.url, pageSize: 10, sleep, retry: { limit: 3 } });
    for (const name of ['page', 'retry', 'progress', 'drift']) stream.on(name, (e) => events.push(e));
    const error = await failure(stream);
    expect(error).toMatchObject({ code: 'RETRY_EXHAUSTED', page: 3 });
    expect(events.length).toBeGreaterThan(3);
    expectNoKey(error);
    expectNoKey((error as Error).cause);
    for (const e of events) expectNoKey(e);
    expectNoKey(stream.stats);
  });

  it('not in a validation error about a malformed key', () => {
    try {
      paginateCallLogs({ apiKey: `${KEY}\n` });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_OPTION', option: 'apiKey' });
      expectNoKey(error);
    }
  });
});

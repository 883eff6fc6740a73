import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../src/errors.js';
import { DEFAULTS, isLoopbackHost, resolveOptions } from '../src/options.js';

const KEY = 'sk-LEAKCHECK-123';

function invalid(options: unknown): InvalidOptionError {
  try {
    resolveOptions(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected InvalidOptionError');
}

describe('resolveOptions', () => {
  it('applies the defaults', () => {
    const r = resolveOptions({ apiKey: KEY });
    expect(r.baseUrl).toBe('https://backend.omnidim.io/api/v1');
    expect(r.pageSize).toBe(150);
    expect(r.concurrency).toBe(DEFAULTS.concurrency);
    expect(r.timeoutMs).toBe(60_000);
    expect(r.retry).toEqual({
      limit: 5,
      limit500: 1,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxRetryAfterMs: 60_000,
    });
    expect(r.onDeletion).toBe('warn');
    expect(r.maxRecords).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [{}, 'apiKey'],
    [{ apiKey: '' }, 'apiKey'],
    [{ apiKey: 12345 }, 'apiKey'],
    [{ apiKey: KEY, pageSize: 0 }, 'pageSize'],
    [{ apiKey: KEY, pageSize: 151 }, 'pageSize'],
    [{ apiKey: KEY, pageSize: 1.5 }, 'pageSize'],
    [{ apiKey: KEY, concurrency: 0 }, 'concurrency'],
    [{ apiKey: KEY, concurrency: 33 }, 'concurrency'],
    [{ apiKey: KEY, maxRecords: 0 }, 'maxRecords'],
    [{ apiKey: KEY, maxPages: -1 }, 'maxPages'],
    [{ apiKey: KEY, timeoutMs: 0 }, 'timeoutMs'],
    [{ apiKey: KEY, retry: { limit: -1 } }, 'retry.limit'],
    [{ apiKey: KEY, retry: { limit500: 1.2 } }, 'retry.limit500'],
    [{ apiKey: KEY, retry: { maxRetryAfterMs: 'x' } }, 'retry.maxRetryAfterMs'],
    [{ apiKey: KEY, retry: { tries: 3 } }, 'retry.tries'],
    [{ apiKey: KEY, filters: { agentId: 0 } }, 'filters.agentId'],
    [{ apiKey: KEY, filters: { agentId: '12' } }, 'filters.agentId'],
    [{ apiKey: KEY, filters: { bulkCallId: -3 } }, 'filters.bulkCallId'],
    [{ apiKey: KEY, filters: { callStatus: 'done' } }, 'filters.callStatus'],
    [{ apiKey: KEY, filters: { agentid: 5 } }, 'filters.agentid'],
    [{ apiKey: KEY, baseUrl: 'http://example.com/api/v1' }, 'baseUrl'],
    [{ apiKey: KEY, baseUrl: 'not a url' }, 'baseUrl'],
    [{ apiKey: KEY, baseUrl: 'ftp://127.0.0.1/' }, 'baseUrl'],
    [{ apiKey: KEY, signal: {} }, 'signal'],
    [{ apiKey: KEY, onPage: 'log' }, 'onPage'],
    [{ apiKey: KEY, onDeletion: 'ignore' }, 'onDeletion'],
    [{ apiKey: KEY, pagesize: 10 }, 'pagesize'],
  ])('refuses %o naming %s', (options, name) => {
    const error = invalid(options);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.option).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).toContain('expected');
  });

  it('suggests the hyphen for no_answer', () => {
    const error = invalid({ apiKey: KEY, filters: { callStatus: 'no_answer' } });
    expect(error.message).toContain("use 'no-answer'");
    expect(resolveOptions({ apiKey: KEY, filters: { callStatus: 'no-answer' } }).filters.callStatus).toBe(
      'no-answer',
    );
  });

  it('allows plain http only on loopback hosts', () => {
    for (const url of [
      'http://127.0.0.1:8080/api/v1',
      'http://127.1.2.3/api',
      'http://localhost:1/x',
      'http://[::1]:9/a',
    ]) {
      expect(resolveOptions({ apiKey: KEY, baseUrl: url }).baseUrl).toBe(url);
    }
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.example.com')).toBe(false);
    expect(resolveOptions({ apiKey: KEY, baseUrl: 'https://api.example.com/v1/' }).baseUrl).toBe(
      'https://api.example.com/v1',
    );
  });

  it('never echoes the API key, even when it is the wrong type or inside a URL', () => {
    const cases = [
      { apiKey: 12345678 },
      { apiKey: `${KEY} ` },
      { apiKey: KEY, baseUrl: `https://user:${KEY}@example.com/` },
    ];
    for (const options of cases) {
      const error = invalid(options);
      expect(error.message).not.toContain('12345678');
      expect(error.message).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { computeRetryDelay, parseRetryAfter } from '../src/retry.js';

const base = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

describe('computeRetryDelay', () => {
  it('grows exponentially with full jitter (random scales the ceiling)', () => {
    expect(computeRetryDelay({ ...base, attempt: 1, random: () => 0.999999 })).toBe(99);
    expect(computeRetryDelay({ ...base, attempt: 3, random: () => 0.5 })).toBe(200);
    expect(computeRetryDelay({ ...base, attempt: 3, random: () => 0 })).toBe(0);
  });

  it('caps the backoff at maxDelayMs', () => {
    expect(computeRetryDelay({ ...base, attempt: 30, random: () => 0.5 })).toBe(500);
    expect(computeRetryDelay({ ...base, attempt: 5000, random: () => 0.5 })).toBe(500);
  });

  it('prefers Retry-After, capped at maxRetryAfterMs, without jitter', () => {
    expect(computeRetryDelay({ ...base, attempt: 1, retryAfterMs: 3000, random: () => 0 })).toBe(3000);
    expect(computeRetryDelay({ ...base, attempt: 1, retryAfterMs: 90_000, random: () => 0 })).toBe(5000);
    expect(computeRetryDelay({ ...base, attempt: 1, retryAfterMs: 0, random: () => 0.9 })).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 7 ')).toBe(7000);
    expect(parseRetryAfter(['2', '9'])).toBe(2000);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });

  it('ignores garbage and absence', () => {
    for (const bad of [undefined, '', 'soon', '-1', '1.5', 'Foo, 99 Bar 2015 99:99:99 GMT']) {
      expect(parseRetryAfter(bad)).toBeUndefined();
    }
  });
});

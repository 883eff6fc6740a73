import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../src/errors.js';
import {
  checkApiUrl,
  checkInteger,
  checkIntegerText,
  checkNumberText,
  checkOneOf,
} from '../src/option-check.js';

function failure(run: () => unknown): InvalidOptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('option-check: one kit, every failure names option, expected and received', () => {
  it('checkInteger refuses out of range and non-integers', () => {
    expect(checkInteger('pageSize', 150, { min: 1, max: 150 })).toBe(150);
    const e = failure(() => checkInteger('pageSize', 151, { min: 1, max: 150 }));
    expect(e.code).toBe('INVALID_OPTION');
    expect([e.option, e.expected, e.received]).toEqual(['pageSize', 'an integer from 1 to 150', '151']);
    expect(failure(() => checkInteger('pageSize', 1.5, { min: 1, max: 150 })).option).toBe('pageSize');
    expect(failure(() => checkInteger('n', 0, { min: 1, max: Number.MAX_SAFE_INTEGER })).expected).toBe(
      'an integer ≥ 1',
    );
  });

  it('the text checks accept digits only and echo the text', () => {
    expect(checkIntegerText('--retries', '7', { min: 0, max: 100 })).toBe(7);
    expect(failure(() => checkIntegerText('--retries', '-1', { min: 0, max: 100 })).received).toBe('"-1"');
    expect(failure(() => checkIntegerText('--retries', '1e2', { min: 0, max: 100 })).option).toBe(
      '--retries',
    );
    expect(checkNumberText('--fault-rate', '0.25', { min: 0, max: 1 })).toBe(0.25);
    expect(failure(() => checkNumberText('--fault-rate', '3', { min: 0, max: 1 })).option).toBe(
      '--fault-rate',
    );
  });

  it('checkOneOf lists what is allowed', () => {
    expect(checkOneOf('format', 'csv', ['parquet', 'csv'])).toBe('csv');
    const e = failure(() => checkOneOf('format', 'xlsx', ['parquet', 'csv']));
    expect(e.message).toBe('Invalid option "format": expected one of "parquet", "csv", received "xlsx"');
  });

  it('checkApiUrl never echoes credentials, a query or a fragment', () => {
    expect(checkApiUrl('baseUrl', 'http://127.0.0.1:8/api/v1').host).toBe('127.0.0.1:8');
    for (const bad of [
      'https://user:secret_key_abc@example.com/api/v1',
      'https://example.com/api/v1?api_key=secret_key_abc',
      'https://example.com/api/v1#secret_key_abc',
      'http://example.com/api/v1',
    ]) {
      const e = failure(() => checkApiUrl('baseUrl', bad));
      expect(e.option).toBe('baseUrl');
      expect(e.message).not.toContain('secret_key_abc');
    }
  });
});

/**
 * A record that cannot become a row (not an object, no usable id) is quarantined with a stable
 * reason; `flattenCallLog` throws a coded error for it.
 */
import { InvalidRecordError, isOmnidimError } from '@omnidim-stream/core';
import { describe, expect, it } from 'vitest';
import { flattenCallLog, InvalidCallLogError, tryFlattenCallLog } from '../src/index.js';

const cases: [string, unknown, string][] = [
  ['null', null, 'NOT_AN_OBJECT'],
  ['an array', [{ id: 1 }], 'NOT_AN_OBJECT'],
  ['a string', 'call 1', 'NOT_AN_OBJECT'],
  ['a number', 50958, 'NOT_AN_OBJECT'],
  ['no id', { bot_name: 'x' }, 'MISSING_ID'],
  ['id false', { id: false }, 'MISSING_ID'],
  ['id ""', { id: '' }, 'MISSING_ID'],
  ['id null', { id: null }, 'MISSING_ID'],
  ['id "abc"', { id: 'abc' }, 'INVALID_ID'],
  ['id 1.5', { id: 1.5 }, 'INVALID_ID'],
  ['id 0', { id: 0 }, 'INVALID_ID'],
  ['id -3', { id: -3 }, 'INVALID_ID'],
  ['id an object', { id: { value: 1 } }, 'INVALID_ID'],
  ['id beyond 2^53', { id: '9007199254740993' }, 'INVALID_ID'],
];

describe('broken records', () => {
  for (const [label, record, reason] of cases) {
    it(`${label} → quarantined as ${reason}`, () => {
      const result = tryFlattenCallLog(record);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.quarantine.reason).toBe(reason);
      expect(result.quarantine.detail.length).toBeGreaterThan(5);
      expect(result.quarantine.record).toEqual(record);

      let error: unknown;
      try {
        flattenCallLog(record);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidCallLogError);
      expect(error).toBeInstanceOf(InvalidRecordError);
      expect(isOmnidimError(error)).toBe(true);
      expect((error as InvalidCallLogError).code).toBe('INVALID_RECORD');
      expect((error as InvalidCallLogError).reason).toBe(reason);
    });
  }

  it('a numeric string id is a valid id', () => {
    const result = tryFlattenCallLog({ id: '50958' });
    expect(result.ok && result.value.callId).toBe(50958);
  });

  it('the quarantined record keeps everything but the secret token', () => {
    const token = 'secret_key_0123456789abcdef_aaaa-bbbb';
    const result = tryFlattenCallLog({
      id: 'x',
      post_call_actions: { call_recording_webhook_ids: [{ payload: `{"call_sid":"${token}"}` }] },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = JSON.stringify(result.quarantine);
    expect(text).not.toContain('0123456789abcdef');
    expect(text).toContain('secret_key_[REDACTED]');
  });

  it('nesting beyond the bound is quarantined, not a crash', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const result = tryFlattenCallLog({ id: 1, sip: deep });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.quarantine.reason).toBe('TOO_DEEP');
  });
});

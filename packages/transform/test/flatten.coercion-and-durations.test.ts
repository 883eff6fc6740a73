/**
 * Numeric strings are coerced; a value that fits no column type is kept raw in `extra` under
 * its field name and counted, never silently nulled. Durations resolve from
 * `call_duration_in_seconds`, with `call_duration` (`M:S`, total minutes) as the fallback.
 */
import { describe, expect, it } from 'vitest';
import { coerceValue, flattenCallLog } from '../src/index.js';

const extraOf = (row: Record<string, unknown>) =>
  row['extra'] === null ? null : JSON.parse(row['extra'] as string);

describe('numeric strings', () => {
  it('are coerced to numbers in int64 and float64 columns, at every level', () => {
    const flat = flattenCallLog({
      id: '12',
      prompt_tokens: '12',
      p50_latency: '3.5',
      cqs_score: '1e2',
      interactions: [
        {
          id: '88247',
          interaction_sequence: '1',
          llm2_time: '2.5',
          function_call_data: [{ time_taken: '0.25' }],
        },
      ],
      post_call_actions: { call_recording_webhook_ids: [{ id: '1870', response_code: '200' }] },
    });
    const call = flat.tables.calls[0]!;
    expect(flat.callId).toBe(12);
    expect(call['id']).toBe(12);
    expect(call['prompt_tokens']).toBe(12);
    expect(call['p50_latency']).toBe(3.5);
    expect(call['cqs_score']).toBe(100);
    expect(flat.tables.interactions[0]!['id']).toBe(88247);
    expect(flat.tables.interactions[0]!['interaction_sequence']).toBe(1);
    expect(flat.tables.interactions[0]!['llm2_time']).toBe(2.5);
    expect(flat.tables.function_calls[0]!['interaction_id']).toBe(88247);
    expect(flat.tables.function_calls[0]!['time_taken']).toBe(0.25);
    expect(flat.tables.webhooks[0]!['id']).toBe(1870);
    expect(flat.tables.webhooks[0]!['response_code']).toBe(200);
    expect(flat.coercions).toBe(0);
  });

  it('a number in a string column becomes its text', () => {
    expect(coerceValue(14155550100, 'string', 'UTC')).toEqual({ fits: true, value: '14155550100' });
  });

  it('"true"/"false" strings are booleans', () => {
    expect(coerceValue('true', 'boolean', 'UTC')).toEqual({ fits: true, value: true });
    expect(coerceValue('false', 'boolean', 'UTC')).toEqual({ fits: true, value: false });
  });
});

describe('values that fit no type', () => {
  it('are kept raw in extra under their field name and counted, in every table', () => {
    const flat = flattenCallLog({
      id: 5,
      prompt_tokens: 'many',
      p50_latency: 'n/a',
      is_simulation: 'maybe',
      bot_name: { first: 'Kevin' },
      total_tokens: 1.5, // int64 must be an integer
      interactions: [
        {
          id: 1,
          interaction_sequence: 1,
          total_tokens: '12,000',
          function_call_data: [{ time_taken: 'slow' }],
        },
      ],
      post_call_actions: {
        call_recording_webhook_ids: [{ id: 9, response_code: 'OK', create_date: 'yesterday' }],
      },
    });
    const call = flat.tables.calls[0]!;
    for (const c of ['prompt_tokens', 'p50_latency', 'is_simulation', 'bot_name', 'total_tokens'])
      expect(call[c]).toBeNull();
    expect(extraOf(call)).toEqual({
      prompt_tokens: 'many',
      p50_latency: 'n/a',
      is_simulation: 'maybe',
      bot_name: { first: 'Kevin' },
      total_tokens: 1.5,
    });
    expect(extraOf(flat.tables.interactions[0]!)).toEqual({ total_tokens: '12,000' });
    expect(extraOf(flat.tables.function_calls[0]!)).toEqual({ time_taken: 'slow' });
    expect(extraOf(flat.tables.webhooks[0]!)).toEqual({ response_code: 'OK', create_date: 'yesterday' });
    expect(flat.coercions).toBe(5 + 1 + 1 + 2);
  });

  it('an int64 beyond the safe range does not fit', () => {
    expect(coerceValue('9007199254740993', 'int64', 'UTC')).toEqual({ fits: false });
    expect(coerceValue(2 ** 53, 'int64', 'UTC')).toEqual({ fits: false });
    expect(coerceValue(2 ** 53 - 1, 'int64', 'UTC')).toEqual({ fits: true, value: 2 ** 53 - 1 });
  });

  it('interactions / function_call_data that are neither a list nor empty are kept raw and counted', () => {
    const flat = flattenCallLog({
      id: 5,
      interactions: 'none',
      post_call_actions: { call_recording_webhook_ids: { id: 1 } },
    });
    expect(extraOf(flat.tables.calls[0]!)).toEqual({
      interactions: 'none',
      'post_call_actions.call_recording_webhook_ids': { id: 1 },
    });
    expect(flat.coercions).toBe(2);
    const flat2 = flattenCallLog({ id: 5, interactions: [{ id: 1, function_call_data: 'oops' }, 7] });
    expect(extraOf(flat2.tables.interactions[0]!)).toEqual({ function_call_data: 'oops' });
    expect(extraOf(flat2.tables.calls[0]!)).toEqual({ 'interactions[1]': 7 });
    expect(flat2.tables.interactions).toHaveLength(1);
    expect(flat2.coercions).toBe(2);
  });

  it('a webhook payload that is not JSON is kept in extra and counted', () => {
    const flat = flattenCallLog({
      id: 5,
      post_call_actions: { call_recording_webhook_ids: [{ id: 1, payload: '{broken' }] },
    });
    expect(flat.tables.webhooks[0]!['payload']).toBeNull();
    expect(extraOf(flat.tables.webhooks[0]!)).toEqual({ payload: '{broken' });
    expect(flat.coercions).toBe(1);
  });

  it('a non-string function result is stored as JSON text', () => {
    const flat = flattenCallLog({
      id: 5,
      interactions: [{ id: 1, function_call_data: [{ result: { ok: 1 } }] }],
    });
    expect(flat.tables.function_calls[0]!['result']).toBe('{"ok":1}');
  });
});

describe('call durations', () => {
  const duration = (log: Record<string, unknown>) =>
    flattenCallLog({ id: 1, ...log }).tables.calls[0]!['call_duration_seconds'];

  it('uses call_duration_in_seconds when present', () => {
    expect(duration({ call_duration_in_seconds: 3903, call_duration: '65:3' })).toBe(3903);
    expect(duration({ call_duration_in_seconds: '42', call_duration: '0:0' })).toBe(42);
    expect(duration({ call_duration_in_seconds: 0, call_duration: '0:0' })).toBe(0);
  });

  it('falls back to M:S in total minutes, unpadded: 65:3 is 65 min 3 s', () => {
    expect(duration({ call_duration_in_seconds: false, call_duration: '65:3' })).toBe(65 * 60 + 3);
    expect(duration({ call_duration: '0:0' })).toBe(0);
    expect(duration({ call_duration: '1:59' })).toBe(119);
    expect(duration({ call_duration: '2:05' })).toBe(125);
  });

  it('is null when neither is usable; the raw text stays in call_duration', () => {
    const call = flattenCallLog({ id: 1, call_duration: 'long' }).tables.calls[0]!;
    expect(call['call_duration_seconds']).toBeNull();
    expect(call['call_duration']).toBe('long');
    expect(duration({ call_duration: '1:75' })).toBeNull();
    expect(duration({})).toBeNull();
  });
});

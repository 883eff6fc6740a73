/**
 * Odoo serialises an empty field as `false`, and `""` / `null` mean the same thing
 * (../shared/api/NOTES.md): in every position they become null in non-boolean columns, while
 * real booleans stay booleans.
 */
import { describe, expect, it } from 'vitest';
import { coerceValue, flattenCallLog } from '../src/index.js';

const EMPTIES = [false, '', null] as const;

function logWith(empty: unknown) {
  return {
    id: 10,
    bot_name: empty,
    time_of_call: empty,
    call_duration_in_seconds: empty,
    call_duration: empty,
    recording_url: empty,
    prompt_tokens: empty,
    extracted_variables: empty,
    is_call_transfer: empty,
    call_request_id: { id: empty, type_of_request: empty },
    interactions: [
      {
        id: 1,
        interaction_sequence: 1,
        user_query: empty,
        customer_phone_number: empty,
        time_of_call: empty,
        llm2_time: empty,
        total_tokens: empty,
        issues: empty,
        has_issue: empty,
        function_call_data: [
          { function_name: empty, args: empty, result: empty, success: empty, time_taken: empty },
        ],
      },
    ],
    post_call_actions: {
      call_recording_webhook_ids: [
        {
          id: 5,
          name: empty,
          payload: empty,
          response_code: empty,
          response_body: empty,
          error_message: empty,
          create_date: empty,
        },
      ],
      email_service_ids: empty,
    },
  };
}

describe('false, "" and null are absent in every position', () => {
  for (const empty of EMPTIES) {
    it(`${JSON.stringify(empty)} → null (no extra, no coercion)`, () => {
      const flat = flattenCallLog(logWith(empty));
      expect(flat.coercions).toBe(0);
      const call = flat.tables.calls[0]!;
      for (const c of [
        'bot_name',
        'time_of_call',
        'call_duration_in_seconds',
        'call_duration',
        'recording_url',
        'prompt_tokens',
        'extracted_variables',
        'call_request_id',
        'call_request_type',
        'email_service_ids',
        'call_duration_seconds',
        'call_date',
      ]) {
        expect(call[c], c).toBeNull();
      }
      // A boolean column keeps a real false; "" and null are absent.
      expect(call['is_call_transfer']).toBe(empty === false ? false : null);
      expect(call['extra']).toBeNull();

      const i = flat.tables.interactions[0]!;
      for (const c of [
        'user_query',
        'customer_phone_number',
        'time_of_call',
        'llm2_time',
        'total_tokens',
        'issues',
      ]) {
        expect(i[c], c).toBeNull();
      }
      expect(i['has_issue']).toBe(empty === false ? false : null);
      expect(i['extra']).toBeNull();

      const f = flat.tables.function_calls[0]!;
      for (const c of ['function_name', 'args', 'result', 'time_taken']) expect(f[c], c).toBeNull();
      expect(f['success']).toBe(empty === false ? false : null);
      expect(f['extra']).toBeNull();

      const w = flat.tables.webhooks[0]!;
      for (const c of [
        'name',
        'payload',
        'response_code',
        'response_body',
        'error_message',
        'create_date',
        'payload_call_id',
      ]) {
        expect(w[c], c).toBeNull();
      }
      expect(w['extra']).toBeNull();
    });
  }

  it('a whole call_request_id of false is absent', () => {
    const flat = flattenCallLog({ id: 1, call_request_id: false });
    expect(flat.tables.calls[0]!['call_request_id']).toBeNull();
    expect(flat.coercions).toBe(0);
  });

  it('call_request_id.id present is an int64, type_of_request a string', () => {
    const call = flattenCallLog({ id: 1, call_request_id: { id: '301042', type_of_request: 'bulk_call' } })
      .tables.calls[0]!;
    expect(call['call_request_id']).toBe(301042);
    expect(call['call_request_type']).toBe('bulk_call');
  });

  for (const empty of [false, null, undefined, '']) {
    it(`interactions: ${String(JSON.stringify(empty))} means no interactions`, () => {
      const flat = flattenCallLog({ id: 3, interactions: empty, post_call_actions: empty });
      expect(flat.tables.interactions).toEqual([]);
      expect(flat.tables.function_calls).toEqual([]);
      expect(flat.tables.webhooks).toEqual([]);
      const call = flat.tables.calls[0]!;
      expect(call['interaction_count']).toBe(0);
      expect(call['function_call_count']).toBe(0);
      expect(call['webhook_count']).toBe(0);
      expect(call['extra']).toBeNull();
      expect(flat.coercions).toBe(0);
    });
  }

  it('coerceValue keeps booleans and nulls non-boolean false', () => {
    expect(coerceValue(false, 'boolean', 'UTC')).toEqual({ fits: true, value: false });
    expect(coerceValue(true, 'boolean', 'UTC')).toEqual({ fits: true, value: true });
    for (const type of ['int64', 'float64', 'string', 'timestamp', 'json'] as const) {
      expect(coerceValue(false, type, 'UTC')).toEqual({ fits: true, value: null });
      expect(coerceValue('', type, 'UTC')).toEqual({ fits: true, value: null });
      expect(coerceValue(null, type, 'UTC')).toEqual({ fits: true, value: null });
    }
  });
});

/**
 * The API adds fields over time: unknown fields are kept in their table's `extra` column, never
 * dropped; a record missing fields still yields a row with nulls.
 */
import { describe, expect, it } from 'vitest';
import { flattenCallLog, SCHEMAS } from '../src/index.js';

const extraOf = (row: Record<string, unknown>) =>
  row['extra'] === null ? null : JSON.parse(row['extra'] as string);

describe('unknown fields', () => {
  it('land in extra at every level, raw, and are not counted as coercions', () => {
    const flat = flattenCallLog({
      id: 1,
      sip_trunk: { carrier: 'acme', codecs: ['opus'] },
      new_score: 7,
      call_request_id: { id: 3, type_of_request: 'api', priority: 'high' },
      interactions: [
        {
          id: 2,
          interaction_sequence: 1,
          emotion: 'calm',
          function_call_data: [{ function_name: 'f', retries: 2 }],
        },
      ],
      post_call_actions: {
        call_recording_webhook_ids: [{ id: 4, signature: 'sha256=abc' }],
        teams_service_ids: [1],
      },
    });
    expect(extraOf(flat.tables.calls[0]!)).toEqual({
      sip_trunk: { carrier: 'acme', codecs: ['opus'] },
      new_score: 7,
      'call_request_id.priority': 'high',
      'post_call_actions.teams_service_ids': [1],
    });
    expect(extraOf(flat.tables.interactions[0]!)).toEqual({ emotion: 'calm' });
    expect(extraOf(flat.tables.function_calls[0]!)).toEqual({ retries: 2 });
    expect(extraOf(flat.tables.webhooks[0]!)).toEqual({ signature: 'sha256=abc' });
    expect(flat.coercions).toBe(0);
  });

  it('a field named like a derived column does not overwrite it', () => {
    const call = flattenCallLog({ id: 1, interaction_count: 99, transcript: 'x' }).tables.calls[0]!;
    expect(call['interaction_count']).toBe(0);
    expect(call['transcript']).toBeNull();
    expect(extraOf(call)).toEqual({ interaction_count: 99, transcript: 'x' });
  });
});

describe('missing fields', () => {
  it('a call log with only an id is one calls row, every other column null or zero counts', () => {
    const flat = flattenCallLog({ id: 77 });
    expect(flat.tables.calls).toHaveLength(1);
    const call = flat.tables.calls[0]!;
    expect(Object.keys(call)).toEqual(SCHEMAS.calls.columns.map((c) => c.name));
    for (const [name, value] of Object.entries(call)) {
      if (name === 'id') expect(value).toBe(77);
      else if (['interaction_count', 'function_call_count', 'webhook_count'].includes(name))
        expect(value).toBe(0);
      else expect(value, name).toBeNull();
    }
    expect(flat.tables.interactions).toEqual([]);
  });

  it('empty interaction, function call and webhook objects still yield rows', () => {
    const flat = flattenCallLog({
      id: 8,
      interactions: [{ function_call_data: [{}] }],
      post_call_actions: { call_recording_webhook_ids: [{}] },
    });
    expect(flat.tables.interactions).toHaveLength(1);
    expect(flat.tables.interactions[0]!['call_id']).toBe(8);
    expect(flat.tables.interactions[0]!['id']).toBeNull();
    expect(flat.tables.function_calls).toHaveLength(1);
    expect(flat.tables.function_calls[0]).toMatchObject({ call_id: 8, interaction_id: null, position: 0 });
    expect(flat.tables.webhooks).toHaveLength(1);
    expect(flat.tables.webhooks[0]).toMatchObject({ call_id: 8, id: null, payload: null });
  });

  it('positions count within function_call_data', () => {
    const flat = flattenCallLog({
      id: 8,
      interactions: [{ id: 5, function_call_data: [{ function_name: 'a' }, { function_name: 'b' }] }],
    });
    expect(
      flat.tables.function_calls.map((f) => [f['interaction_id'], f['position'], f['function_name']]),
    ).toEqual([
      [5, 0, 'a'],
      [5, 1, 'b'],
    ]);
    expect(flat.tables.calls[0]!['function_call_count']).toBe(2);
  });
});

describe('bulk call fields', () => {
  it('come from the webhook payload when the call log has none', () => {
    const payload = JSON.stringify({ call_id: 8, bulk_call_id: 312, campaign_name: 'Campaign #312' });
    const flat = flattenCallLog({
      id: 8,
      post_call_actions: { call_recording_webhook_ids: [{ id: 1, payload }] },
    });
    expect(flat.tables.calls[0]!['bulk_call_id']).toBe(312);
    expect(flat.tables.calls[0]!['bulk_call_name']).toBe('Campaign #312');
    expect(flat.tables.webhooks[0]!['payload_bulk_call_id']).toBe(312);
  });

  it('prefer bulk_call_name and a top-level value', () => {
    const payload = JSON.stringify({ bulk_call_id: 312, bulk_call_name: 'Spring', campaign_name: 'other' });
    const flat = flattenCallLog({
      id: 8,
      bulk_call_id: 5,
      post_call_actions: { call_recording_webhook_ids: [{ payload }] },
    });
    expect(flat.tables.calls[0]!['bulk_call_id']).toBe(5);
    expect(flat.tables.calls[0]!['bulk_call_name']).toBe('Spring');
  });
});

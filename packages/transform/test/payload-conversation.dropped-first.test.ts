/**
 * issue 21: the payload's conversation copies are dropped before the payload is scrubbed and its
 * text made (they were scrubbed, then dropped). What a record becomes must not change: a copy
 * nested too deep still quarantines the record (TOO_DEEP), as scrubbing it did, at the same bound.
 */
import { describe, expect, it } from 'vitest';
import { tryFlattenCallLog } from '../src/index.js';

const withPayload = (payload: string) => ({
  id: 1,
  post_call_actions: { call_recording_webhook_ids: [{ id: 2, payload }] },
});

/** `levels` nested arrays around 'leaf', as JSON text. */
const nested = (levels: number) => `${'['.repeat(levels)}"leaf"${']'.repeat(levels)}`;

describe('payload conversation copies dropped first', () => {
  it('a dropped copy nested beyond the bound still quarantines the record (TOO_DEEP)', () => {
    for (const key of ['interactions', 'full_conversation']) {
      const payload = `{"call_id":1,"call_report":{"summary":"s","${key}":${nested(80)}}}`;
      const result = tryFlattenCallLog(withPayload(payload));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.quarantine.reason).toBe('TOO_DEEP');
    }
  });

  it('the bound is the same as scrubbing: 61 levels under call_report pass, 62 do not', () => {
    // payload (depth 0) → call_report (1) → the copy (2): an array at depth 64 is too deep.
    const at = (levels: number) =>
      tryFlattenCallLog(withPayload(`{"call_report":{"interactions":${nested(levels)}}}`)).ok;
    expect(at(62)).toBe(true);
    expect(at(63)).toBe(false);
  });

  it('a shallow copy is dropped and the rest of the payload kept', () => {
    const result = tryFlattenCallLog(
      withPayload(
        '{"call_id":3,"call_report":{"summary":"s","interactions":[{"a":1}],"full_conversation":"hi"}}',
      ),
    );
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.value.webhooks[0]!['payload']).toBe('{"call_id":3,"call_report":{"summary":"s"}}');
  });
});

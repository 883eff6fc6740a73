/**
 * Issue 13.4: a field named `__proto__` (JSON.parse makes it an ordinary own property) lands in
 * `extra` like any other unknown field, at every level and through redaction and quarantine, and
 * never becomes a prototype.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flattenCallLog, maskSecretsDeep, tryFlattenCallLog } from '../src/index.js';

/** The record as the API's JSON text would give it (the only way such a field arrives). */
const RECORD = `{
  "id": 7,
  "bot_name": "a",
  "__proto__": { "polluted": true, "note": "top" },
  "meta": { "__proto__": { "sid": "secret_key_abc123" }, "other": "secret_key_def456" },
  "interactions": [{ "id": 2, "interaction_sequence": 1, "__proto__": "turn" }],
  "post_call_actions": { "call_recording_webhook_ids": [{ "id": 4, "__proto__": 5 }] }
}`;

const extraText = (row: Record<string, unknown> | undefined) => row?.['extra'] as string | null;

afterEach(() => {
  // Nothing may leak onto every object.
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

describe('a __proto__ field', () => {
  it('is kept in extra at the top level, in turns and in webhooks, as JSON text', () => {
    const flat = flattenCallLog(JSON.parse(RECORD));
    const calls = JSON.parse(extraText(flat.tables.calls[0])!);
    expect(Object.getOwnPropertyDescriptor(calls, '__proto__')?.value).toEqual({
      polluted: true,
      note: 'top',
    });
    expect(extraText(flat.tables.interactions[0])).toBe('{"__proto__":"turn"}');
    expect(extraText(flat.tables.webhooks[0])).toBe('{"__proto__":5}');
  });

  it('survives secret masking inside a nested object (the copy keeps it as an own field)', () => {
    const flat = flattenCallLog(JSON.parse(RECORD));
    const text = extraText(flat.tables.calls[0])!;
    expect(text).toContain(
      '"meta":{"__proto__":{"sid":"secret_key_[REDACTED]"},"other":"secret_key_[REDACTED]"}',
    );
    expect(text).not.toContain('abc123');
  });

  it('is kept in a quarantined record, masked', () => {
    const broken = JSON.parse(RECORD.replace('"id": 7,', ''));
    const result = tryFlattenCallLog(broken);
    expect(result.ok).toBe(false);
    const text = JSON.stringify(!result.ok && result.quarantine);
    expect(text).toContain('"__proto__":{"polluted":true,"note":"top"}');
    expect(JSON.stringify(maskSecretsDeep(JSON.parse(RECORD)))).toContain(
      '"__proto__":{"sid":"secret_key_[REDACTED]"}',
    );
  });
});

/**
 * A `secret_key_…` token is masked wherever it appears: as an object key (inside a JSON column,
 * or as an unknown field's name that lands in `extra`) as well as a value, and whole when it
 * carries base64 / base64url / dot characters. Found by a hostile review
 * (/work/wt-review/repro/tokens.sh): keys were written verbatim to `calls` and to the `raw/`
 * archive, and `secret_key_aBc+dEf/GhI=JkL.MnO` was masked only up to the `+`.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { flattenCallLog, maskSecretsDeep, redactCallLog, tryFlattenCallLog } from '../src/index.js';

const B64 = 'secret_key_aBc+dEf/GhI=JkL.MnO';
const KEY = 'a-test-key-of-32-bytes-0123456789';
/** Any `secret_key_` not followed by the mask or the keyed hash is a leak. */
const LEAK = /secret_key_(?!\[REDACTED\]|hmac_[0-9a-f]{64})/;

function call(extra: Record<string, unknown> = {}) {
  return {
    id: 7,
    extracted_variables: { secret_key_KEYASNAME123: 1, nested: { secret_key_DEEP456: 'v' } },
    ...extra,
  };
}

describe('secret tokens as object keys', () => {
  it('are masked in JSON columns of the tables, the values kept', () => {
    const row = flattenCallLog(call()).tables.calls[0]!;
    expect(JSON.stringify(row)).not.toMatch(LEAK);
    expect(JSON.parse(row['extracted_variables'] as string)).toEqual({
      'secret_key_[REDACTED]': 1,
      nested: { 'secret_key_[REDACTED]': 'v' },
    });
  });

  it('are masked when an unknown field named with a token lands in extra', () => {
    const row = flattenCallLog(call({ secret_key_TOPLEVEL789: 'x', other: { secret_key_IN_EXTRA: 2 } }))
      .tables.calls[0]!;
    expect(row['extra']).not.toMatch(LEAK);
    expect(JSON.parse(row['extra'] as string)).toEqual({
      'secret_key_[REDACTED]': 'x',
      other: { 'secret_key_[REDACTED]': 2 },
    });
  });

  it('stay unique when two keys mask to the same text: the later one gets #2, #3', () => {
    const row = flattenCallLog(
      call({
        extracted_variables: {
          secret_key_A: 1,
          'secret_key_[REDACTED]': 0,
          secret_key_B: 2,
          secret_key_C: 3,
        },
      }),
    ).tables.calls[0]!;
    // The key that was already the mask keeps its name and value; no value is lost.
    expect(JSON.parse(row['extracted_variables'] as string)).toEqual({
      'secret_key_[REDACTED]#2': 1,
      'secret_key_[REDACTED]': 0,
      'secret_key_[REDACTED]#3': 2,
      'secret_key_[REDACTED]#4': 3,
    });
  });

  it('are masked in the raw archive record, at the top level and nested', () => {
    const out = redactCallLog(call({ secret_key_TOPLEVEL789: 'x' }));
    expect(JSON.stringify(out)).not.toMatch(LEAK);
    expect(out).toEqual({
      id: 7,
      extracted_variables: { 'secret_key_[REDACTED]': 1, nested: { 'secret_key_[REDACTED]': 'v' } },
      'secret_key_[REDACTED]': 'x',
    });
  });

  it('are masked in quarantined records', () => {
    const r = tryFlattenCallLog({ secret_key_NOID: { secret_key_X: 1 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.quarantine.record).toEqual({ 'secret_key_[REDACTED]': { 'secret_key_[REDACTED]': 1 } });
    expect(maskSecretsDeep({ secret_key_a: 1, secret_key_b: 2 })).toEqual({
      'secret_key_[REDACTED]': 1,
      'secret_key_[REDACTED]#2': 2,
    });
  });

  it('are keyed-hashed as keys too with secretTokens: hash', () => {
    const row = flattenCallLog(call(), { redact: { secretTokens: 'hash' }, hashKey: KEY }).tables.calls[0]!;
    const h = createHmac('sha256', KEY).update('secret_key_KEYASNAME123').digest('hex');
    expect(Object.keys(JSON.parse(row['extracted_variables'] as string))).toEqual([
      `secret_key_hmac_${h}`,
      'nested',
    ]);
  });
});

describe('secret tokens with base64 characters', () => {
  it('are masked whole, keeping a full stop that ends the sentence', () => {
    const row = flattenCallLog({ id: 8, call_conversation: `sid ${B64}. Next sid ${B64}/x-y_z==` }).tables
      .calls[0]!;
    expect(row['call_conversation']).toBe('sid secret_key_[REDACTED]. Next sid secret_key_[REDACTED]');
  });

  it('are masked whole in keys, in the raw archive and in quarantine', () => {
    expect(redactCallLog({ id: 9, note: `a ${B64}`, v: { [B64]: 1 } })).toEqual({
      id: 9,
      note: 'a secret_key_[REDACTED]',
      v: { 'secret_key_[REDACTED]': 1 },
    });
    expect(maskSecretsDeep({ note: `${B64}.` })).toEqual({ note: 'secret_key_[REDACTED].' });
  });

  it('are hashed whole with secretTokens: hash', () => {
    const row = flattenCallLog(
      { id: 10, call_conversation: `${B64}.` },
      {
        redact: { secretTokens: 'hash' },
        hashKey: KEY,
      },
    ).tables.calls[0]!;
    const h = createHmac('sha256', KEY).update(B64).digest('hex');
    expect(row['call_conversation']).toBe(`secret_key_hmac_${h}.`);
  });
});

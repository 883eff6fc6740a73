/**
 * Hostile cases (from the review of 2026-11-30): conversation copies dropped before scrubbing. (1) The verdict of every record
 * (ok / quarantine reason) with 'drop' equals the one with 'keep' (which scrubs everything, as
 * 'drop' used to); (2) no secret, e-mail or phone in a kept part of the payload escapes.
 */
import { describe, expect, it } from 'vitest';
import { tryFlattenCallLog } from '../src/index.js';

const withPayload = (payload: string) => ({
  id: 1,
  post_call_actions: { call_recording_webhook_ids: [{ id: 2, payload }] },
});
const nestA = (n: number) => `${'['.repeat(n)}"leaf"${']'.repeat(n)}`;
const nestO = (n: number) => `${'{"a":'.repeat(n)}"leaf"${'}'.repeat(n)}`;
const verdict = (payload: string, payloadConversation: 'drop' | 'keep') => {
  const r = tryFlattenCallLog(withPayload(payload), { payloadConversation });
  return r.ok ? 'ok' : r.quarantine.reason;
};

describe('drop-first changes no verdict', () => {
  const payloads: string[] = [];
  for (const n of [59, 60, 61, 62, 63, 64, 100]) {
    for (const key of ['interactions', 'full_conversation', 'summary']) {
      payloads.push(`{"call_report":{"${key}":${nestA(n)}}}`);
      payloads.push(`{"call_report":{"${key}":${nestO(n)}}}`);
      payloads.push(`{"call_report":{"${key}":${nestA(n)},"interactions":[]}}`);
    }
    payloads.push(`{"call_report":[${nestA(n)}],"x":1}`);
    payloads.push(`{"call_report":{"__proto__":${nestA(n)},"full_conversation":"x"}}`);
    payloads.push(`{"interactions":${nestA(n)},"call_report":{"full_conversation":"x"}}`);
    payloads.push(`{"call_report":{"full_conversation":"x","secret_key_abc":${nestA(n)}}}`);
  }
  it.each(payloads.map((p) => [p.slice(0, 90), p]))('%s', (_name, p) => {
    expect(verdict(p, 'drop')).toBe(verdict(p, 'keep'));
  });
});

describe('no secret escapes from the kept part', () => {
  it('tokens, e-mails and phones anywhere else in the payload are redacted', () => {
    const payload = JSON.stringify({
      call_sid: 'CA1 secret_key_AbC+d/E=f.g',
      full_conversation: 'top-level, kept: secret_key_top1 mail a@b.co',
      call_report: {
        summary: 'caller a.b@example.com said secret_key_sum',
        full_conversation: 'dropped secret_key_drop',
        interactions: [{ x: 'secret_key_drop2' }],
        secret_key_inkey: 1,
        nested: { phone_number: '+1 415 555 0100', deep: [{ to_number: '14155550100' }] },
        __proto__x: 'secret_key_proto',
      },
      extracted_variables: { secret_key_keyname: 'v' },
    });
    const r = tryFlattenCallLog(withPayload(payload), {
      redact: { emails: 'redact', phoneNumbers: 'redact' },
    } as never);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const text = String(r.value.webhooks[0]!['payload']);
    expect(text).not.toMatch(/secret_key_(?!\[REDACTED\])/);
    expect(text).not.toMatch(/@example|a@b\.co|555/);
    expect(text).not.toMatch(/drop/);
    expect(text).toMatch(/top-level, kept/);
  });
});

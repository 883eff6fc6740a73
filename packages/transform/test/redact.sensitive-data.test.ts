/**
 * Secrets are never written (the payload's `secret_key_…` token is masked by default, wherever
 * it appears); phone numbers, e-mails, recording URLs, payloads and response bodies can be
 * redacted or keyed-hashed (HMAC-SHA256, so joins still work).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidOptionError } from '@omnidim-stream/core';
import { describe, expect, it } from 'vitest';
import { flattenCallLog, resolveTransformOptions, type TransformOptions } from '../src/index.js';

const page = JSON.parse(readFileSync(new URL('./fixtures/example-page.json', import.meta.url), 'utf8'));
const example = page.call_log_data[0] as Record<string, unknown>;
const TOKEN = 'secret_key_fb6cac5ad0ba353d30768b2f6d92dab3_74f67317-cdd6-4b56-9954-440933284998';
const KEY = 'a-test-key-of-32-bytes-0123456789';
const hmac = (value: string, key = KEY) => createHmac('sha256', key).update(value).digest('hex');

function callWith(extra: Record<string, unknown> = {}) {
  return {
    id: 99,
    from_number: '+1 (415) 555-0100',
    to_number: 'Assistant',
    recording_url: 'https://storage.example/rec/99.mp3?X-Amz-Signature=abc',
    call_conversation: 'user: mail me at Jane.Doe@Example.com <br/> LLM: ok',
    extracted_variables: { email: 'jane.doe@example.com', phone_number: '+14155550100' },
    interactions: [
      {
        id: 1,
        interaction_sequence: 1,
        customer_phone_number: '+14155550100',
        user_query: 'jane.doe@example.com',
      },
    ],
    post_call_actions: {
      call_recording_webhook_ids: [
        {
          id: 2,
          name: `Webhook to https://hooks.example/x?sid=${TOKEN}`,
          webhook_url: `https://hooks.example/x?sid=${TOKEN}`,
          payload: JSON.stringify({
            call_id: 99,
            call_sid: TOKEN,
            phone_number: '+14155550100',
            from_number: 'Chat',
            user_email: 'jane.doe@example.com',
            recording_url: 'https://storage.example/rec/99.mp3',
          }),
          response_body: `{"received":"${TOKEN}","from":"jane.doe@example.com"}`,
          error_message: `rejected ${TOKEN}`,
        },
      ],
    },
    surprise_field: `token ${TOKEN}`,
    ...extra,
  };
}

describe('secret tokens (default)', () => {
  it('are masked in the payload and everywhere else they appear', () => {
    const flat = flattenCallLog(callWith());
    const text = JSON.stringify(flat);
    expect(text).not.toContain('fb6cac5ad0ba353d30768b2f6d92dab3');
    expect(text).not.toContain('74f67317-cdd6-4b56-9954-440933284998');
    const w = flat.tables.webhooks[0]!;
    expect(JSON.parse(w['payload'] as string).call_sid).toBe('secret_key_[REDACTED]');
    expect(w['webhook_url']).toBe('https://hooks.example/x?sid=secret_key_[REDACTED]');
    expect(w['name']).toBe('Webhook to https://hooks.example/x?sid=secret_key_[REDACTED]');
    expect(w['response_body']).toBe('{"received":"secret_key_[REDACTED]","from":"jane.doe@example.com"}');
    expect(w['error_message']).toBe('rejected secret_key_[REDACTED]');
    expect(JSON.parse(flat.tables.calls[0]!['extra'] as string)).toEqual({
      surprise_field: 'token secret_key_[REDACTED]',
    });
  });

  it('other values are kept by default', () => {
    const flat = flattenCallLog(callWith());
    expect(flat.tables.calls[0]!['from_number']).toBe('+1 (415) 555-0100');
    expect(flat.tables.calls[0]!['recording_url']).toBe(
      'https://storage.example/rec/99.mp3?X-Amz-Signature=abc',
    );
    expect(flat.tables.interactions[0]!['user_query']).toBe('jane.doe@example.com');
  });

  it('can be keyed-hashed instead of masked, never kept', () => {
    const w = flattenCallLog(callWith(), { redact: { secretTokens: 'hash' }, hashKey: KEY }).tables
      .webhooks[0]!;
    expect(JSON.parse(w['payload'] as string).call_sid).toBe(`secret_key_hmac_${hmac(TOKEN)}`);
    expect(() => resolveTransformOptions({ redact: { secretTokens: 'keep' as 'mask' } })).toThrow(
      InvalidOptionError,
    );
  });
});

describe('phone numbers', () => {
  it('hash: HMAC-SHA256 of the digits, identical across columns and the payload, so joins work', () => {
    const opts: TransformOptions = { redact: { phoneNumbers: 'hash' }, hashKey: KEY };
    const flat = flattenCallLog(callWith(), opts);
    const expected = hmac('14155550100');
    expect(flat.tables.calls[0]!['from_number']).toBe(expected);
    expect(flat.tables.interactions[0]!['customer_phone_number']).toBe(expected);
    const payload = JSON.parse(flat.tables.webhooks[0]!['payload'] as string);
    expect(payload.phone_number).toBe(expected);
    expect(JSON.parse(flat.tables.calls[0]!['extracted_variables'] as string).phone_number).toBe(expected);
    // Placeholders without digits are not phone numbers.
    expect(flat.tables.calls[0]!['to_number']).toBe('Assistant');
    expect(payload.from_number).toBe('Chat');
    // Stable across runs, different under another key.
    expect(flattenCallLog(callWith(), opts).tables.calls[0]!['from_number']).toBe(expected);
    const other = flattenCallLog(callWith(), { ...opts, hashKey: 'another-key-0123456789' });
    expect(other.tables.calls[0]!['from_number']).not.toBe(expected);
    expect(JSON.stringify(flat)).not.toContain('555-0100');
    expect(JSON.stringify(flat)).not.toContain('5550100');
  });

  it('redact replaces them with [REDACTED]', () => {
    const flat = flattenCallLog(callWith(), { redact: { phoneNumbers: 'redact' } });
    expect(flat.tables.calls[0]!['from_number']).toBe('[REDACTED]');
    expect(flat.tables.interactions[0]!['customer_phone_number']).toBe('[REDACTED]');
    expect(JSON.stringify(flat)).not.toContain('5550100');
  });
});

describe('e-mail addresses in text', () => {
  it('redact removes them from every text and JSON value', () => {
    const flat = flattenCallLog(callWith(), { redact: { emails: 'redact' } });
    const call = flat.tables.calls[0]!;
    expect(call['transcript']).toBe('user: mail me at [REDACTED_EMAIL]\nLLM: ok');
    expect(flat.tables.interactions[0]!['user_query']).toBe('[REDACTED_EMAIL]');
    expect(JSON.stringify(flat).toLowerCase()).not.toContain('jane.doe@example.com');
  });

  it('on the vendor example too', () => {
    const flat = flattenCallLog(example, { redact: { emails: 'redact' } });
    expect(flat.tables.interactions[2]!['user_query']).toBe('aok [REDACTED_EMAIL]');
    expect(JSON.stringify(flat)).not.toContain('demo@example.com');
  });

  it('hash replaces each address by the HMAC of its lower-cased form', () => {
    const flat = flattenCallLog(callWith(), { redact: { emails: 'hash' }, hashKey: KEY });
    const h = hmac('jane.doe@example.com');
    expect(flat.tables.calls[0]!['transcript']).toBe(`user: mail me at ${h}\nLLM: ok`);
    expect(JSON.parse(flat.tables.webhooks[0]!['payload'] as string).user_email).toBe(h);
  });
});

describe('recording URLs, payloads and response bodies', () => {
  it('recording URLs can be redacted or hashed, in columns and the payload', () => {
    const red = flattenCallLog(callWith(), { redact: { recordingUrls: 'redact' } });
    expect(red.tables.calls[0]!['recording_url']).toBe('[REDACTED]');
    expect(JSON.parse(red.tables.webhooks[0]!['payload'] as string).recording_url).toBe('[REDACTED]');
    const hashed = flattenCallLog(callWith(), { redact: { recordingUrls: 'hash' }, hashKey: KEY });
    expect(hashed.tables.calls[0]!['recording_url']).toBe(
      hmac('https://storage.example/rec/99.mp3?X-Amz-Signature=abc'),
    );
  });

  it('payloads can be redacted; derived payload columns are still filled', () => {
    const w = flattenCallLog(callWith(), { redact: { webhookPayloads: 'redact' } }).tables.webhooks[0]!;
    expect(JSON.parse(w['payload'] as string)).toBe('[REDACTED]');
    expect(w['payload_call_id']).toBe(99);
    const h = flattenCallLog(callWith(), { redact: { webhookPayloads: 'hash' }, hashKey: KEY }).tables
      .webhooks[0]!;
    expect(JSON.parse(h['payload'] as string)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('response bodies can be redacted or hashed', () => {
    const body = `{"received":"secret_key_[REDACTED]","from":"jane.doe@example.com"}`;
    expect(
      flattenCallLog(callWith(), { redact: { responseBodies: 'redact' } }).tables.webhooks[0]![
        'response_body'
      ],
    ).toBe('[REDACTED]');
    const hashed = flattenCallLog(callWith(), { redact: { responseBodies: 'hash' }, hashKey: KEY });
    expect(hashed.tables.webhooks[0]!['response_body']).toBe(hmac(body));
  });
});

describe('option validation', () => {
  const errorOf = (options: unknown): InvalidOptionError => {
    try {
      resolveTransformOptions(options as TransformOptions);
    } catch (e) {
      return e as InvalidOptionError;
    }
    throw new Error('expected an InvalidOptionError');
  };

  it('names the option, what was expected and what was received', () => {
    const e = errorOf({ redact: { emails: 'scramble' } });
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e.option).toBe('redact.emails');
    expect(e.message).toContain('"keep" | "redact" | "hash"');
    expect(e.message).toContain('scramble');
    expect(errorOf({ redact: { phone: 'hash' } }).option).toBe('redact.phone');
    expect(errorOf({ redact: 'all' }).option).toBe('redact');
    expect(errorOf({ timezone: 'UTC' }).option).toBe('timezone');
  });

  it('requires a hashKey of 16+ bytes for hash actions and never echoes it', () => {
    expect(errorOf({ redact: { phoneNumbers: 'hash' } }).option).toBe('hashKey');
    const short = errorOf({ redact: { phoneNumbers: 'hash' }, hashKey: 'tiny-secret' });
    expect(short.option).toBe('hashKey');
    expect(short.message).not.toContain('tiny-secret');
    expect(errorOf({ hashKey: 1234567890123 }).message).not.toContain('1234567');
    expect(
      resolveTransformOptions({ redact: { phoneNumbers: 'hash' }, hashKey: KEY }).hashKey,
    ).not.toBeNull();
  });

  it('validates once: a resolved object is returned as is', () => {
    const resolved = resolveTransformOptions({ timeZone: 'Asia/Kolkata' });
    expect(resolveTransformOptions(resolved)).toBe(resolved);
    expect(Object.isFrozen(resolved)).toBe(true);
  });
});

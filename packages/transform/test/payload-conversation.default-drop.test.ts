/**
 * issue 21: the webhook payload's conversation copies (call_report.full_conversation and
 * call_report.interactions) are left out of `webhooks.payload` by default, kept with
 * `payloadConversation: 'keep'`; nothing else of the payload, and no derived column, changes.
 */
import { InvalidOptionError } from '@omnidim-stream/core';
import { generateCallLog } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { flattenCallLog, withoutConversation } from '../src/index.js';

/** Simulated calls that carry a webhook whose payload has a conversation. */
function callsWithPayloads(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; out.length < 20 && i < 500; i++) {
    const log = JSON.parse(JSON.stringify(generateCallLog(3, i))) as Record<string, unknown>;
    const hooks = (log['post_call_actions'] as { call_recording_webhook_ids?: { payload: string }[] })
      .call_recording_webhook_ids;
    if (hooks?.some((h) => JSON.parse(h.payload).call_report.full_conversation !== '')) out.push(log);
  }
  return out;
}

describe('payloadConversation', () => {
  const logs = callsWithPayloads();

  it('drops exactly the two conversation keys by default; keep writes them; the rest is equal', () => {
    expect(logs.length).toBe(20);
    for (const log of logs) {
      const dropped = flattenCallLog(log).webhooks;
      const kept = flattenCallLog(log, { payloadConversation: 'keep' }).webhooks;
      expect(dropped.length).toBe(kept.length);
      dropped.forEach((row, i) => {
        const small = JSON.parse(row.payload as string) as Record<string, Record<string, unknown>>;
        const whole = JSON.parse(kept[i]!.payload as string) as Record<string, Record<string, unknown>>;
        expect(Object.keys(whole['call_report']!)).toContain('full_conversation');
        expect(Object.keys(whole['call_report']!)).toContain('interactions');
        const { full_conversation: _f, interactions: _i, ...rest } = whole['call_report']!;
        expect(small).toEqual({ ...whole, call_report: rest });
        // Every other column, the derived payload_* ones included, is the same either way.
        expect({ ...row, payload: null }).toEqual({ ...kept[i]!, payload: null });
      });
    }
  });

  it('never changes the record it is given, and keeps a __proto__ key a plain field', () => {
    const report = JSON.parse('{"__proto__":{"x":1},"summary":"s","full_conversation":"hi"}');
    const payload = { call_id: 1, call_report: report };
    const out = withoutConversation(payload);
    expect(Object.keys(out['call_report'] as object)).toEqual(['__proto__', 'summary']);
    expect(Object.getPrototypeOf(out['call_report'])).toBe(Object.prototype);
    expect(Object.keys(report)).toEqual(['__proto__', 'summary', 'full_conversation']);
    const plain = { call_id: 2, call_report: { summary: 's' } };
    expect(withoutConversation(plain)).toBe(plain);
  });

  it('a value other than drop or keep fails, naming the option', () => {
    const bad = { payloadConversation: 'none' } as unknown as Parameters<typeof flattenCallLog>[1];
    expect(() => flattenCallLog(logs[0], bad)).toThrow(InvalidOptionError);
    expect(() => flattenCallLog(logs[0], bad)).toThrow(/payloadConversation/);
  });
});

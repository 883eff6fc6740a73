import { readFileSync } from 'node:fs';
import { generateHistory } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { parseCallTime } from './helpers.js';

// A verbatim copy of ../shared/api/example-page.json (the vendor's example response), kept in the
// repo so the test runs from a clean clone.
const example = JSON.parse(
  readFileSync(new URL('./fixtures/example-page.json', import.meta.url), 'utf8'),
) as {
  call_log_data: Record<string, unknown>[];
};
const exampleCall = example.call_log_data[0] as Record<string, unknown>;
const exampleInteraction = (exampleCall['interactions'] as Record<string, unknown>[])[0] as Record<
  string,
  unknown
>;
const exampleWebhook = (
  (exampleCall['post_call_actions'] as Record<string, unknown>)['call_recording_webhook_ids'] as Record<
    string,
    unknown
  >[]
)[0] as Record<string, unknown>;

const history = generateHistory(1, 3000);
type Obj = Record<string, unknown>;
const interactionsOf = (c: Obj) => c['interactions'] as Obj[];
const webhooksOf = (c: Obj) => (c['post_call_actions'] as Obj)['call_recording_webhook_ids'] as Obj[];

describe('generated call logs look like the vendor example', () => {
  it('have every top-level key of the example, in the same order', () => {
    for (const call of history.slice(0, 200)) expect(Object.keys(call)).toEqual(Object.keys(exampleCall));
  });

  it('have every interaction key and webhook key of the example, in order', () => {
    const interactions = history.flatMap(interactionsOf);
    const webhooks = history.flatMap(webhooksOf);
    expect(interactions.length).toBeGreaterThan(100);
    expect(webhooks.length).toBeGreaterThan(100);
    for (const i of interactions) expect(Object.keys(i)).toEqual(Object.keys(exampleInteraction));
    for (const w of webhooks) expect(Object.keys(w)).toEqual(Object.keys(exampleWebhook));
    expect(Object.keys(history[0]?.['post_call_actions'] as Obj)).toEqual(
      Object.keys(exampleCall['post_call_actions'] as Obj),
    );
  });

  it('use MM/DD/YYYY time_of_call with days over 12 and several months', () => {
    const months = new Set<string>();
    let bigDay = false;
    for (const call of history.slice(0, 500)) {
      const [mm, dd, rest] = call.time_of_call.split('/');
      expect(Number(mm)).toBeGreaterThanOrEqual(1);
      expect(Number(mm)).toBeLessThanOrEqual(12);
      if (Number(dd) > 12) bigDay = true;
      months.add(`${rest?.slice(0, 4)}-${mm}`);
      expect(Number.isNaN(parseCallTime(call.time_of_call))).toBe(false);
    }
    expect(bigDay).toBe(true);
    expect(months.size).toBeGreaterThanOrEqual(3);
  });

  it('format call_duration as unpadded M:S matching call_duration_in_seconds', () => {
    let overAnHour = false;
    for (const call of history) {
      const seconds = call['call_duration_in_seconds'] as number;
      const m = /^(\d+):(\d+)$/.exec(call['call_duration'] as string);
      expect(m).not.toBeNull();
      expect(Number(m?.[1]) * 60 + Number(m?.[2])).toBe(seconds);
      expect(m?.[2]).toBe(String(Number(m?.[2]))); // unpadded
      if (seconds >= 3600) overAnHour = true;
    }
    expect(overAnHour).toBe(true);
  });

  it('cover statuses, channels, placeholders, function calls and calls without interactions', () => {
    expect(new Set(history.map((c) => c['call_status']))).toEqual(
      new Set(['completed', 'busy', 'failed', 'no-answer']),
    );
    expect(new Set(history.map((c) => c['channel_type'])).size).toBeGreaterThanOrEqual(3);
    expect(history.some((c) => c['channel_type'] === 'Widget-Chat')).toBe(true);
    expect(history.some((c) => interactionsOf(c).length === 0)).toBe(true);
    expect(history.some((c) => c['call_status'] === 'completed' && interactionsOf(c).length === 0)).toBe(
      true,
    );
    const fcd = history.flatMap(interactionsOf).map((i) => i['function_call_data']);
    expect(fcd).toContain(false);
    expect(
      fcd.some(
        (f) =>
          Array.isArray(f) &&
          Object.keys(f[0]).sort().join() === 'args,function_name,result,success,time_taken',
      ),
    ).toBe(true);
    for (const key of ['recording_url', 'organization_branch_name', 'user_name', 'status']) {
      const values = history.map((c) => c[key]);
      expect(values, key).toContain(false);
    }
    expect(history.map((c) => c['organization_branch_name'])).toContain('');
    expect(history.map((c) => c['hangup_source'])).toContain(null);
    expect(
      history.some(
        (c) => typeof c['recording_url'] === 'string' && /^https:\/\//.test(c['recording_url'] as string),
      ),
    ).toBe(true);
  });

  it('carry unicode, commas, quotes and newlines, and some transcripts of tens of kB', () => {
    const text = history
      .slice(0, 300)
      .map((c) => JSON.stringify(c))
      .join('\n');
    expect(text).toMatch(/[áéíóúñü]/);
    expect(text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    expect(text).toMatch(/\p{Extended_Pictographic}/u);
    const raw = history.flatMap(interactionsOf).map((i) => `${i['user_query']}${i['bot_response']}`);
    expect(raw.some((t) => t.includes('\n'))).toBe(true);
    expect(raw.some((t) => t.includes('"') && t.includes(','))).toBe(true);
    const longest = Math.max(...history.map((c) => (c['call_conversation'] as string).length));
    expect(longest).toBeGreaterThan(10_000);
  });

  it('give webhooks a JSON-string payload with a secret_key_ call_sid, and mixed extracted_variables', () => {
    const payloads = history.flatMap(webhooksOf).map((w) => JSON.parse(w['payload'] as string) as Obj);
    expect(payloads.every((p) => /^secret_key_[0-9a-f]{32}_/.test(p['call_sid'] as string))).toBe(true);
    expect(payloads.some((p) => typeof p['bulk_call_id'] === 'number')).toBe(true);
    const values = history.flatMap((c) => Object.values(c['extracted_variables'] as Obj));
    expect(values).toContain('Not provided');
    expect(values.some((v) => typeof v === 'number')).toBe(true);
    expect(values.some((v) => typeof v === 'string' && v !== 'Not provided')).toBe(true);
  });
});

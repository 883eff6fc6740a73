/**
 * The vendor's example page, flattened without any server. Every expected value below was
 * written by hand from ../shared/api/example-page.json, not copied from the code's output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flattenCallLog } from '../src/index.js';

const page = JSON.parse(readFileSync(new URL('./fixtures/example-page.json', import.meta.url), 'utf8')) as {
  call_log_data: unknown[];
  total_records: number;
};
const example = page.call_log_data[0];
const flat = flattenCallLog(example);
const call = flat.tables.calls[0]!;

describe('flattenCallLog on the vendor example page', () => {
  it('makes one row per table element, keyed by natural ids', () => {
    expect(page.call_log_data).toHaveLength(1);
    expect(flat.callId).toBe(50958);
    expect(flat.partitionDate).toBe('2026-05-04');
    expect(flat.coercions).toBe(0);
    expect(flat.tables.calls).toHaveLength(1);
    expect(flat.tables.interactions).toHaveLength(4);
    expect(flat.tables.function_calls).toHaveLength(1);
    expect(flat.tables.webhooks).toHaveLength(1);
  });

  it('returns the rows per table at the top level too, as the same arrays', () => {
    expect(flat.calls[0]?.['id']).toBe(50958);
    expect(flat.interactions.map((row) => row['id'])).toEqual([88247, 88248, 88249, 88250]);
    expect(flat.function_calls[0]?.['function_name']).toBe('offer_calendly_meeting');
    expect(flat.webhooks[0]?.['id']).toBe(1870);
    expect(flat.calls).toBe(flat.tables.calls);
    expect(flat.webhooks).toBe(flat.tables.webhooks);
  });

  it('calls: every column, by hand', () => {
    expect(call['id']).toBe(50958);
    expect(call['organization_branch_name']).toBeNull(); // ""
    expect(call['bot_name']).toBe('Customer Support Agent');
    expect(call['is_bot_response']).toBe(true);
    expect(call['time_of_call']).toEqual(new Date(Date.UTC(2026, 4, 4, 14, 46, 15)));
    expect(call['call_date']).toBe('2026-05-04');
    expect(call['from_number']).toBe('Chat');
    expect(call['to_number']).toBe('Assistant');
    expect(call['call_direction']).toBe('outbound');
    expect(call['call_duration']).toBe('0:0');
    expect(call['call_duration_in_seconds']).toBe(0);
    expect(call['call_duration_in_minutes']).toBe(0);
    expect(call['call_duration_seconds']).toBe(0);
    expect(call['recording_url']).toBeNull(); // false
    expect(call['internal_recording_url']).toBeNull(); // false
    expect(call['recording_available_at']).toBeNull(); // ""
    expect(call['call_conversation']).toMatch(/^ <br\/> user: <br\/> LLM: Hello, I am Kevin/);
    expect(call['transcript']).toBe(
      [
        'user:',
        'LLM: Hello, I am Kevin from OmniDimension support. How may I help you?',
        'user: i awnt ti book a meetig',
        'LLM: Sure, I can help with that. Could you please provide me with your name and email address?',
        'user: aok demo@example.com',
        "LLM: Let's confirm your email address: demo@example.com Is that correct?",
        'user: y',
        'LLM: Great, you can book a meeting using the link below.',
      ].join('\n'),
    );
    expect(call['call_status']).toBe('completed');
    expect(call['channel_type']).toBe('Widget-Chat');
    expect(call['sentiment_score']).toBe('Positive');
    expect(call['sentiment_analysis_details']).toBe(
      'The user requested to book a meeting, providing their email address. The agent confirmed the email and provided a link for booking the meeting successfully.',
    );
    expect(call['call_type']).toBeNull(); // false
    expect(call['is_call_transfer']).toBe(false); // a real boolean stays a boolean
    expect(call['status']).toBeNull(); // ""
    expect(call['cqs_score']).toBe(0);
    expect(call['cqs_score_message']).toBeNull();
    for (const m of ['intent', 'relevance', 'latency', 'coherence'])
      expect(call[`metric_score_${m}`]).toBe(0);
    expect(call['p50_latency']).toBe(2.53);
    expect(call['p99_latency']).toBe(2.79);
    expect(call['prompt_tokens']).toBe(31727);
    expect(call['completion_tokens']).toBe(95);
    expect(call['total_tokens']).toBe(31822);
    expect(call['total_tts_speaking_minutes']).toBe(0);
    expect(call['total_tts_speaking_seconds']).toBe(0);
    expect(call['llm_prompt']).toBeNull();
    expect(call['aggregated_estimated_cost']).toBe(0.123);
    expect(call['model_name']).toBe('gpt-4o');
    expect(call['model_type']).toBe('chat');
    expect(call['asr_service']).toBe('deepgram_stream');
    expect(call['tts_service']).toBe('eleven_labs');
    expect(call['has_issue']).toBe(false);
    expect(call['is_simulation']).toBe(false);
    expect(JSON.parse(call['json_evolution_matrix_score'] as string)).toEqual({});
    expect(JSON.parse(call['issues'] as string)).toEqual([]);
    expect(JSON.parse(call['extracted_variables'] as string)).toEqual({
      industry: 'Not provided',
      use_case: 'Not provided',
      user_name: 'Demo User',
      main_purpose: 'Booking a meeting',
      phone_number: 'Not provided',
      preferred_language: 'Not provided',
      monthly_call_volume: 'Not provided',
      interaction_count_total: 4,
    });
    expect(call['voice_insides']).toBeNull();
    expect(call['amd_detected']).toBe(false);
    expect(call['amd_answered_by']).toBeNull();
    expect(call['amd_duration']).toBe(0);
    expect(call['is_voicemail']).toBe(false);
    expect(call['is_fax']).toBe(false);
    expect(call['voicemail_type']).toBeNull();
    expect(call['hangup_source']).toBeNull();
    expect(call['hangup_reason']).toBeNull();
    expect(call['user_name']).toBe('Demo User');
    expect(call['call_cost']).toBe(0);
    expect(call['call_request_id']).toBeNull(); // { id: false, ... }
    expect(call['call_request_type']).toBeNull(); // type_of_request: ""
    expect(call['bulk_call_id']).toBeNull(); // the example payload has none
    expect(call['bulk_call_name']).toBeNull();
    expect(call['interaction_count']).toBe(4);
    expect(call['function_call_count']).toBe(1);
    expect(call['webhook_count']).toBe(1);
    for (const list of ['email', 'hubspot', 'slack', 'salesforce', 'google_sheets']) {
      expect(call[`${list}_service_ids`]).toBe('[]');
    }
    expect(call['extra']).toBeNull(); // every field of the example is a known column
  });

  it('interactions: ids, sequence, times and values of each turn', () => {
    const rows = flat.tables.interactions;
    expect(rows.map((r) => r['id'])).toEqual([88247, 88248, 88249, 88250]);
    expect(rows.map((r) => r['interaction_sequence'])).toEqual([1, 2, 3, 4]);
    expect(rows.every((r) => r['call_id'] === 50958)).toBe(true);
    expect(rows.map((r) => r['user_query'])).toEqual([
      null,
      'i awnt ti book a meetig',
      'aok demo@example.com',
      'y',
    ]);
    expect(rows[0]!['bot_response']).toBe(
      'Hello, I am Kevin from OmniDimension support. How may I help you?',
    );
    expect(rows[3]!['bot_response']).toBe('Great, you can book a meeting using the link below.');
    expect(rows.map((r) => r['time_of_call'])).toEqual([
      new Date(Date.UTC(2026, 4, 4, 14, 43, 0)),
      new Date(Date.UTC(2026, 4, 4, 14, 43, 8)),
      new Date(Date.UTC(2026, 4, 4, 14, 43, 13)),
      new Date(Date.UTC(2026, 4, 4, 14, 43, 18)),
    ]);
    expect(rows.map((r) => r['llm2_time'])).toEqual([2.349710792, 2.534026668, 1.136648417, 2.787461793]);
    expect(rows.map((r) => r['latency_llm'])).toEqual([2.349710792, 2.534026668, 1.136648417, 2.787461793]);
    expect(rows.map((r) => r['total_response_time'])).toEqual([
      2.349710792, 2.534026668, 1.136648417, 2.787461793,
    ]);
    expect(rows.map((r) => r['total_tokens'])).toEqual([6314, 6318, 6351, 12839]);
    expect(rows.map((r) => r['function_call_count'])).toEqual([0, 0, 0, 1]);
    for (const r of rows) {
      expect(r['customer_phone_number']).toBeNull();
      expect(r['evaluation_remarks']).toBeNull();
      expect(r['asr_time']).toBe(0);
      expect(r['tts_time']).toBe(0);
      expect(r['latency_tts']).toBe(0);
      expect(r['has_issue']).toBe(false);
      expect(r['total_cost']).toBe(0);
      expect(r['issues']).toBe('[]');
      expect(r['json_evolution_matrix_score']).toBe('{}');
      expect(r['tts_speaking_duration']).toBe(0);
      expect(r['extra']).toBeNull();
    }
  });

  it('function_calls: offer_calendly_meeting at interaction 88250, position 0', () => {
    const [fn] = flat.tables.function_calls;
    expect(fn).toEqual({
      call_id: 50958,
      interaction_id: 88250,
      interaction_sequence: 4,
      position: 0,
      function_name: 'offer_calendly_meeting',
      args: '{}',
      result:
        'Calendly card is now visible to the visitor below your reply. Stop and wait for them to tap. Do not ask any follow-up question this turn.',
      success: true,
      time_taken: 0.002235458,
      extra: null,
    });
  });

  it('webhooks: delivery 1870 with response 200, payload parsed and its token masked', () => {
    const w = flat.tables.webhooks[0]!;
    expect(w['call_id']).toBe(50958);
    expect(w['id']).toBe(1870);
    expect(w['name']).toBe(
      'Webhook to https://webhook.site/94b3db04-2a3f-480f-86f5-6bcc84b4cc5b on 2026-05-04 14:46:15',
    );
    expect(w['webhook_url']).toBe('https://webhook.site/94b3db04-2a3f-480f-86f5-6bcc84b4cc5b');
    expect(w['webhook_method']).toBe('POST');
    expect(w['status']).toBe('sent');
    expect(w['response_code']).toBe(200);
    expect(w['response_body']).toBe(
      'This URL has no default content configured. <a href="https://webhook.site/#!/edit/94b3db04-2a3f-480f-86f5-6bcc84b4cc5b">Change response in Webhook.site</a>.',
    );
    expect(w['error_message']).toBeNull();
    expect(w['call_recording_id']).toBe(50958);
    expect(w['user_id']).toBe(1234);
    expect(w['create_date']).toEqual(new Date(Date.UTC(2026, 4, 4, 14, 46, 15)));
    expect(w['create_by']).toBe('Demo User');
    expect(w['payload_call_id']).toBe(50958);
    expect(w['payload_bot_id']).toBe(6340);
    expect(w['payload_bot_name']).toBe('Demo User');
    expect(w['payload_call_status']).toBe('completed');
    expect(w['payload_call_date']).toEqual(new Date(Date.UTC(2026, 4, 4, 14, 46, 15)));
    expect(w['payload_start_time']).toEqual(new Date(Date.UTC(2026, 4, 4, 14, 46, 15)));
    expect(w['payload_end_time']).toEqual(new Date(Date.UTC(2026, 4, 4, 14, 46, 15)));
    expect(w['payload_call_duration']).toBe(0);
    expect(w['payload_bulk_call_id']).toBeNull();
    expect(w['payload_bulk_call_name']).toBeNull();
    expect(w['extra']).toBeNull();

    const payload = JSON.parse(w['payload'] as string) as Record<string, unknown>;
    expect(payload['call_id']).toBe(50958);
    expect(payload['call_sid']).toBe('secret_key_[REDACTED]');
    expect(payload['user_email']).toBe('demo@example.com');
    const report = payload['call_report'] as Record<string, unknown>;
    expect(report['sentiment']).toBe('Positive');
    // The conversation copies (full_conversation, interactions) are left out by default (issue 21).
    expect(Object.keys(report)).toEqual(['summary', 'sentiment', 'extracted_variables']);
  });

  it("webhooks: with payloadConversation 'keep' the payload is written whole, token masked", () => {
    const kept = flattenCallLog(example, { payloadConversation: 'keep' }).tables.webhooks[0]!;
    const webhook = (example as { post_call_actions: { call_recording_webhook_ids: { payload: string }[] } })
      .post_call_actions.call_recording_webhook_ids[0]!;
    const raw = webhook.payload;
    const expected = JSON.parse(raw) as Record<string, unknown>;
    expected['call_sid'] = 'secret_key_[REDACTED]';
    expect(JSON.parse(kept['payload'] as string)).toEqual(expected);
    const report = expected['call_report'] as Record<string, unknown>;
    expect((report['interactions'] as unknown[]).length).toBe(4);
    expect(typeof report['full_conversation']).toBe('string');
  });

  it('writes the secret token nowhere', () => {
    const everything = JSON.stringify(flat);
    expect(everything).not.toContain('fb6cac5ad0ba353d30768b2f6d92dab3');
    expect(everything).not.toContain('74f67317-cdd6-4b56-9954-440933284998');
  });
});

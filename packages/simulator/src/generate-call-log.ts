/**
 * The deterministic call-log generator. Call #i depends only on `(seed, i)`: each call draws
 * from its own PRNG stream, so a larger `records` count never changes older calls, and a
 * simulator can build any call lazily, page by page, without generating the history before it.
 */
import {
  AGENTS,
  BOT_RESPONSES,
  BRANCHES,
  FUNCTION_NAMES,
  LONG_RESPONSE,
  SENTIMENTS,
  type SimAgent,
  SUMMARIES,
  USER_NAMES,
  USER_QUERIES,
  WEBHOOK_HOSTS,
  WEBHOOK_RESPONSE_BODIES,
} from './call-data.js';
import { chance, hex, int, pick, type Random, rngFor, uuid } from './prng.js';

/** A generated call log: plain JSON, shaped like one element of `call_log_data`. */
export type SimCallLog = Record<string, unknown> & { id: number; time_of_call: string };

export type SimCallStatus = 'completed' | 'busy' | 'failed' | 'no-answer';

/** What the simulator needs to filter and address a call without building its full body. */
export interface CallMeta {
  /** Position in the generated sequence (0 = oldest). */
  index: number;
  /** Call log id: strictly rising with `index`, with gaps. */
  id: number;
  /** End of the call, ms since the epoch (UTC); strictly rising with `index`. */
  timeMs: number;
  /** Internal agent id (the `agentid` filter); the call log itself only has `bot_name`. */
  agentId: number;
  status: SimCallStatus;
  /** Bulk campaign the call belongs to, or null. Exposed only via the webhook payload. */
  bulkCallId: number | null;
  channel: 'voice' | 'Widget-Chat' | 'Web-Call' | 'Widget-Voice';
}

const FIRST_ID = 10_000;
const ID_STRIDE = 3;
/** 2025-01-06T00:00:00Z: the history starts here and is spread over months. */
const HISTORY_START_MS = Date.UTC(2025, 0, 6);
/** The first calls are ~4 h apart (months of dates for small histories), then ~2 min apart. */
const SPARSE_CALLS = 2_000;
const SPARSE_SPACING_S = 4 * 3600;
const DENSE_SPACING_S = 120;

const META_STREAM = 0;
const BODY_STREAM = 1;

/** Largest index the generator supports (keeps ids and dates in a sane range). */
export const MAX_CALL_INDEX = 50_000_000;

/** The agents the generator assigns calls to: `{ id, name }` (ids are what `agentid` filters on). */
export const SIM_AGENTS: readonly { id: number; name: string }[] = AGENTS.map(({ id, name }) => ({
  id,
  name,
}));

/**
 * Metadata of call #`index` under `seed`: id, time, agent, status, bulk campaign.
 *
 * @example
 * const meta = callMeta(1, 0); // { index: 0, id: 10000..10002, agentId: 6340, ... }
 */
export function callMeta(seed: number, index: number): CallMeta {
  const rng = rngFor(seed, index, META_STREAM);
  const id = FIRST_ID + index * ID_STRIDE + int(rng, 0, ID_STRIDE - 1);
  const slotS =
    index < SPARSE_CALLS
      ? index * SPARSE_SPACING_S
      : SPARSE_CALLS * SPARSE_SPACING_S + (index - SPARSE_CALLS) * DENSE_SPACING_S;
  const spacing = index < SPARSE_CALLS ? SPARSE_SPACING_S : DENSE_SPACING_S;
  const timeMs = HISTORY_START_MS + (slotS + int(rng, 0, spacing - 1)) * 1000;
  const agent = pick(rng, AGENTS);
  const roll = rng();
  let status: SimCallStatus =
    roll < 0.7 ? 'completed' : roll < 0.82 ? 'no-answer' : roll < 0.9 ? 'busy' : 'failed';
  const channelRoll = rng();
  let channel: CallMeta['channel'] =
    channelRoll < 0.55
      ? 'voice'
      : channelRoll < 0.8
        ? 'Widget-Chat'
        : channelRoll < 0.95
          ? 'Web-Call'
          : 'Widget-Voice';
  // Busy / no-answer only make sense on the phone network.
  if (status === 'busy' || status === 'no-answer') channel = 'voice';
  if (channel === 'Widget-Chat' && status === 'failed' && rng() < 0.5) status = 'completed';
  const bulkCallId = channel === 'voice' && rng() < 0.3 ? 300 + Math.floor(index / 250) : null;
  return { index, id, timeMs, agentId: agent.id, status, bulkCallId, channel };
}

/**
 * The index of the call with this id under `seed`, or -1 when no generated call has it.
 *
 * @example
 * const i = indexOfId(1, callMeta(1, 42).id); // 42
 */
export function indexOfId(seed: number, id: number): number {
  if (!Number.isSafeInteger(id) || id < FIRST_ID) return -1;
  const index = Math.floor((id - FIRST_ID) / ID_STRIDE);
  if (index > MAX_CALL_INDEX) return -1;
  return callMeta(seed, index).id === id ? index : -1;
}

/**
 * Call log #`index` (0 = oldest) of the history generated from `seed`, with every field of the
 * vendor's example in the same key order. Pure and deterministic.
 *
 * @example
 * const log = generateCallLog(1, 0);
 * console.log(log.id, log.time_of_call, log.call_status);
 */
export function generateCallLog(seed: number, index: number): SimCallLog {
  return buildCallLog(seed, callMeta(seed, index));
}

/**
 * The first `count` calls of the history generated from `seed`, oldest first (the API serves
 * them newest first). Memory grows with `count`: for large histories use
 * {@link generateCallLog} per index.
 *
 * @example
 * const history = generateHistory(7, 100);
 * history.length; // 100, ids rising
 */
export function generateHistory(seed: number, count: number): SimCallLog[] {
  const out: SimCallLog[] = [];
  for (let i = 0; i < count; i++) out.push(generateCallLog(seed, i));
  return out;
}

/** Builds the full call log for already computed metadata. */
export function buildCallLog(seed: number, meta: CallMeta): SimCallLog {
  const rng = rngFor(seed, meta.index, BODY_STREAM);
  const agent = AGENTS.find((a) => a.id === meta.agentId) as SimAgent;
  const completed = meta.status === 'completed';
  const isChat = meta.channel === 'Widget-Chat';
  const isPhone = meta.channel === 'voice';
  const outbound = isChat || rng() < 0.6;
  const customerPhone = `+${pick(rng, ['1415555', '3491555', '8134555', '4930555'])}${int(rng, 1000, 9999)}`;

  const longTranscript = completed && chance(rng, 0.015);
  const turns = !completed ? 0 : longTranscript ? int(rng, 25, 60) : chance(rng, 0.08) ? 0 : int(rng, 1, 10);
  let durationS = 0;
  if (completed && !isChat) {
    durationS = chance(rng, 0.03) ? int(rng, 3600, 5400) : int(rng, 8, 900);
    if (longTranscript) durationS = Math.max(durationS, turns * 25);
  }
  const startMs = meta.timeMs - Math.max(durationS, turns * 6) * 1000;

  const interactions: Record<string, unknown>[] = [];
  const convo: string[] = [];
  const plainConvo: string[] = [];
  const payloadTurns: Record<string, unknown>[] = [];
  let totalTokens = 0;
  const latencies: number[] = [];
  const interactionBase = 80_000 + meta.index * 128;
  let turnMs = startMs;
  for (let seq = 1; seq <= turns; seq++) {
    const userQuery = seq === 1 ? '' : pick(rng, USER_QUERIES);
    const botResponse =
      seq === 1 ? agent.greeting : longTranscript && rng() < 0.7 ? LONG_RESPONSE : pick(rng, BOT_RESPONSES);
    const llm = Math.round((0.4 + rng() * 2.8) * 1e9) / 1e9;
    const tts = isChat ? 0 : Math.round(rng() * 0.6 * 1e9) / 1e9;
    const asr = isChat ? 0 : Math.round(rng() * 0.3 * 1e9) / 1e9;
    const tokens = 6000 + int(rng, 0, 7000);
    totalTokens += tokens;
    latencies.push(llm);
    turnMs += int(rng, 2, 9) * 1000;
    const hasFunction = chance(rng, 0.12);
    interactions.push({
      id: interactionBase + seq,
      interaction_sequence: seq,
      user_query: userQuery,
      bot_response: botResponse,
      customer_phone_number: isPhone ? customerPhone : false,
      time_of_call: formatCallTime(turnMs),
      llm2_time: llm,
      asr_time: asr,
      tts_time: tts,
      metric_score_intent: 0,
      metric_score_relevance: 0,
      metric_score_latency: 0,
      metric_score_coherence: 0,
      latency_llm: llm,
      latency_tts: tts,
      total_response_time: Math.round((llm + tts + asr) * 1e9) / 1e9,
      evaluation_remarks: pick(rng, [false, false, '', 'Agent repeated itself, then recovered.']),
      total_tokens: tokens,
      has_issue: false,
      total_cost: isChat ? 0 : Math.round(rng() * 0.02 * 1e4) / 1e4,
      issues: [],
      json_evolution_matrix_score: {},
      function_call_data: hasFunction ? functionCalls(rng) : false,
      tts_speaking_duration: isChat ? 0 : Math.round(rng() * 8 * 100) / 100,
    });
    convo.push(` <br/> user:${userQuery ? ` ${userQuery}` : ''} <br/> LLM: ${botResponse} <br/>`);
    plainConvo.push(` \n user:${userQuery ? ` ${userQuery}` : ''} \n LLM: ${botResponse} \n`);
    payloadTurns.push({
      sequence: seq,
      user_query: userQuery,
      bot_response: botResponse,
      time: formatWebhookTime(turnMs),
    });
  }
  latencies.sort((a, b) => a - b);
  const p50 = latencies.length ? round2(latencies[Math.floor((latencies.length - 1) / 2)] as number) : 0;
  const p99 = latencies.length ? round2(latencies[latencies.length - 1] as number) : 0;

  const summary = completed ? pick(rng, SUMMARIES) : '';
  const sentiment = completed ? pick(rng, SENTIMENTS) : pick(rng, ['Neutral', false] as const);
  const userName = pick(rng, USER_NAMES);
  const extracted = completed ? extractedVariables(rng, agent, userName) : {};
  const recordingReady = completed && !isChat && chance(rng, 0.8);
  const recordingUrl = recordingReady
    ? `https://storage.omnidim.example/recordings/${meta.id}.mp3?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=${hex(rng, 64)}`
    : false;
  const callSid = `secret_key_${hex(rng, 32)}_${uuid(rng)}`;
  const fromNumber = isChat ? 'Chat' : outbound ? '+14155550100' : customerPhone;
  const toNumber = isChat ? 'Assistant' : outbound ? customerPhone : '+14155550100';
  const promptTokens = totalTokens ? totalTokens - turns * 20 : 0;
  const completionTokens = turns * 20 + (turns ? int(rng, 0, 40) : 0);
  const cost = completed ? Math.round(rng() * 0.5 * 1000) / 1000 : 0;
  const hangup = completed && !isChat ? pick(rng, ['user', 'agent', null] as const) : null;

  const webhooks: Record<string, unknown>[] = [];
  const webhookCount = completed ? pick(rng, [0, 1, 1, 1, 2]) : chance(rng, 0.2) ? 1 : 0;
  for (let k = 0; k < webhookCount; k++) {
    const url = pick(rng, WEBHOOK_HOSTS);
    const sent = chance(rng, 0.8);
    const payload: Record<string, unknown> = {
      call_id: meta.id,
      call_sid: callSid,
      bot_id: agent.id,
      bot_name: agent.name,
      phone_number: isChat ? 'Chat' : customerPhone,
      call_direction: outbound ? 'outbound' : 'inbound',
      to_number: toNumber,
      call_request_id: false,
      from_number: fromNumber,
      call_date: formatWebhookTime(meta.timeMs),
      start_time: formatWebhookTime(startMs),
      end_time: formatWebhookTime(meta.timeMs),
      call_duration: durationS,
      user_email: pick(rng, ['demo@example.com', 'zoe.mueller@example.de', false]),
      call_status: meta.status,
      hangup_source: hangup ?? false,
      recording_url: recordingUrl,
      recording_available_at: null,
      low_interaction: turns < 5,
      call_report: {
        summary,
        sentiment,
        extracted_variables: extracted,
        full_conversation: plainConvo.join(''),
        interactions: payloadTurns,
      },
    };
    if (meta.bulkCallId !== null) {
      payload['bulk_call_id'] = meta.bulkCallId;
      payload['campaign_name'] = `Campaign #${meta.bulkCallId}, "Q${(meta.bulkCallId % 4) + 1}" outreach`;
    }
    webhooks.push({
      id: 1_000 + meta.index * 2 + k,
      name: `Webhook to ${url} on ${formatWebhookTime(meta.timeMs)}`,
      webhook_url: url,
      webhook_method: 'POST',
      payload: JSON.stringify(payload),
      status: sent ? 'sent' : pick(rng, ['failed', 'pending']),
      response_code: sent ? 200 : pick(rng, [500, 404, false]),
      response_body: sent ? pick(rng, WEBHOOK_RESPONSE_BODIES) : pick(rng, ['', false, '<html>Error</html>']),
      error_message: sent
        ? false
        : pick(rng, ['Connection timed out', 'HTTP 500: "Internal Server Error"', '']),
      call_recording_id: meta.id,
      user_id: 1234,
      create_date: formatWebhookTime(meta.timeMs),
      create_by: pick(rng, ['Demo User', 'Zoë Müller', 'OdooBot']),
    });
  }

  return {
    id: meta.id,
    organization_branch_name: pick(rng, BRANCHES),
    bot_name: agent.name,
    is_bot_response: turns > 0,
    time_of_call: formatCallTime(meta.timeMs),
    from_number: fromNumber,
    to_number: toNumber,
    call_direction: outbound ? 'outbound' : 'inbound',
    call_duration: formatDuration(durationS),
    recording_url: recordingUrl,
    internal_recording_url: recordingReady && chance(rng, 0.3) ? `s3://omnidim-rec/${meta.id}.wav` : false,
    recording_available_at: recordingReady ? formatWebhookTime(meta.timeMs + 90_000) : pick(rng, ['', false]),
    call_conversation: convo.join(''),
    call_status: meta.status,
    channel_type: meta.channel,
    sentiment_score: sentiment,
    sentiment_analysis_details: summary || pick(rng, ['', false]),
    call_type: pick(rng, [false, false, 'campaign', 'manual']),
    is_call_transfer: completed && chance(rng, 0.05),
    status: pick(rng, ['', '', 'done', false]),
    cqs_score: completed ? int(rng, 0, 100) : 0,
    cqs_score_message:
      completed && chance(rng, 0.3) ? 'Good coverage, but the agent interrupted twice.' : false,
    metric_score_intent: 0,
    metric_score_relevance: 0,
    metric_score_latency: 0,
    metric_score_coherence: 0,
    p50_latency: p50,
    p99_latency: p99,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    total_tts_speaking_minutes: isChat ? 0 : Math.round((durationS / 60) * 0.4 * 100) / 100,
    total_tts_speaking_seconds: isChat ? 0 : Math.round(durationS * 0.4),
    llm_prompt: false,
    aggregated_estimated_cost: cost,
    model_name: pick(rng, ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'gemini-1.5-flash']),
    model_type: isChat ? 'chat' : 'voice',
    asr_service: isChat ? false : pick(rng, ['deepgram_stream', 'azure_stream', 'whisper']),
    tts_service: isChat ? false : pick(rng, ['eleven_labs', 'cartesia', 'google']),
    has_issue: completed && chance(rng, 0.05),
    is_simulation: chance(rng, 0.02),
    json_evolution_matrix_score:
      completed && chance(rng, 0.2) ? { empathy: round2(rng()), clarity: int(rng, 1, 5) } : {},
    issues: completed && chance(rng, 0.05) ? ['latency_spike'] : [],
    call_duration_in_seconds: durationS,
    call_duration_in_minutes: Math.round((durationS / 60) * 100) / 100,
    extracted_variables: extracted,
    voice_insides: false,
    amd_detected: isPhone && outbound && chance(rng, 0.1),
    amd_answered_by: isPhone && outbound ? pick(rng, [false, 'human', 'machine_start']) : false,
    amd_duration: isPhone && outbound ? round2(rng() * 3) : 0,
    is_voicemail: meta.status === 'no-answer' && chance(rng, 0.3),
    is_fax: false,
    voicemail_type: false,
    hangup_source: hangup,
    hangup_reason:
      hangup === null ? null : pick(rng, ['customer_hangup', 'agent_end_call', 'silence_timeout']),
    user_name: userName,
    call_cost: cost,
    call_request_id:
      meta.bulkCallId !== null
        ? { id: meta.bulkCallId * 1000 + (meta.index % 1000), type_of_request: 'bulk_call' }
        : { id: false, type_of_request: pick(rng, ['', false]) },
    interactions,
    post_call_actions: {
      call_recording_webhook_ids: webhooks,
      email_service_ids: [],
      hubspot_service_ids: [],
      slack_service_ids: [],
      salesforce_service_ids: [],
      google_sheets_service_ids: [],
    },
  };
}

function functionCalls(rng: Random): Record<string, unknown>[] {
  const name = pick(rng, FUNCTION_NAMES);
  return [
    {
      args: name === 'lookup_customer' ? { phone: '+14155550123', include_history: true } : {},
      result: pick(rng, [
        'Calendly card is now visible to the visitor below your reply. Stop and wait for them to tap. Do not ask any follow-up question this turn.',
        '{"customer":"Zoë Müller","tier":"gold"}',
        'Transferred, caller on hold.',
      ]),
      success: chance(rng, 0.9),
      time_taken: Math.round(rng() * 0.5 * 1e9) / 1e9,
      function_name: name,
    },
  ];
}

function extractedVariables(rng: Random, agent: SimAgent, userName: string | false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of agent.variables) {
    if (chance(rng, 0.4)) {
      out[key] = 'Not provided';
      continue;
    }
    if (key.endsWith('_name')) out[key] = userName || 'Not provided';
    else if (/budget|amount|seats|party_size|age/.test(key))
      out[key] = chance(rng, 0.8) ? int(rng, 1, 20_000) : '12,000';
    else if (key === 'decision_maker') out[key] = chance(rng, 0.5);
    else if (key === 'notes') out[key] = '窓側の席, "quiet" please\nallergy: nuts 🥜';
    else out[key] = pick(rng, ['Booking a meeting', 'Español', 'Q3', 'demo@example.com', 'Dr. Ortega']);
  }
  out['interaction_count_total'] = int(rng, 0, 12);
  return out;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `MM/DD/YYYY HH:MM:SS` in UTC, month first, as the API's `time_of_call`. */
export function formatCallTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as webhook dates. */
export function formatWebhookTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `M:S` in total minutes, unpadded (`0:0`, `65:3`), as the API's `call_duration`. */
export function formatDuration(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${seconds % 60}`;
}

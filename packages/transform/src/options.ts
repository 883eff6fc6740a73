/**
 * The one options object of the transform, its defaults and its validation.
 *
 * Options are resolved once ({@link resolveTransformOptions}); `flattenCallLog` and the stream
 * stages accept either raw or resolved options and never re-validate a resolved object.
 */
import { checkObject, checkOneOf, InvalidOptionError } from '@omnidim-stream/core';
import { PAYLOAD_CONVERSATIONS, type PayloadConversation } from './payload-conversation.js';
import { validateTimeZone } from './time.js';

/** What to do with one kind of sensitive value: keep it, replace it with `[REDACTED]`, or keyed-hash it. */
export type SensitiveAction = 'keep' | 'redact' | 'hash';

/** What to do with `secret_key_…` tokens: they are never written as is. */
export type SecretAction = 'mask' | 'hash';

/** Redaction settings; every key is optional and defaults to {@link DEFAULT_REDACTION}. */
export interface RedactionOptions {
  /**
   * The webhook payload token (`call_sid`: `secret_key_…`), wherever it appears (payload,
   * `response_body`, URLs, names, extra). `mask` writes `secret_key_[REDACTED]`. Default `mask`.
   */
  secretTokens?: SecretAction;
  /**
   * Phone fields (`from_number`, `to_number`, `customer_phone_number`, `phone_number`, `phone`)
   * at any depth, including inside webhook payloads and function args. Values without a digit
   * (the API's `Chat` / `Assistant` placeholders) are kept. Hashing uses the digits only.
   * Default `keep`.
   */
  phoneNumbers?: SensitiveAction;
  /** E-mail addresses inside any text or JSON value. Hashing uses the lower-cased address. Default `keep`. */
  emails?: SensitiveAction;
  /** `recording_url` and `internal_recording_url` (signed links), at any depth. Default `keep`. */
  recordingUrls?: SensitiveAction;
  /** The webhooks table's `payload` column (derived `payload_*` columns are still filled). Default `keep`. */
  webhookPayloads?: SensitiveAction;
  /** The webhooks table's `response_body` column (the receiver's raw body). Default `keep`. */
  responseBodies?: SensitiveAction;
}

/** Options of {@link flattenCallLog} and the stream stages. */
export interface TransformOptions {
  /**
   * IANA zone in which the API's zone-less date-times (`time_of_call`, webhook dates) are read,
   * and in which the partition date is taken. Default `UTC`; the machine's zone is never used.
   */
  timeZone?: string;
  redact?: RedactionOptions;
  /**
   * Key of the HMAC-SHA256 used by every `hash` action (at least 16 bytes). Required when any
   * redaction action is `hash`. Keep it secret and stable: the same key gives the same hashes,
   * so hashed columns still join across exports.
   */
  hashKey?: string | Uint8Array;
  /**
   * The webhook payload's copies of the conversation (`call_report.full_conversation` and
   * `call_report.interactions`, which repeat `calls.call_conversation`/`transcript` and the
   * `interactions` table): `drop` (default) leaves them out of `webhooks.payload`, `keep` writes
   * the payload whole. The derived `payload_*` columns are the same either way.
   */
  payloadConversation?: PayloadConversation;
}

/** Redaction settings with every key filled in. */
export interface ResolvedRedaction {
  readonly secretTokens: SecretAction;
  readonly phoneNumbers: SensitiveAction;
  readonly emails: SensitiveAction;
  readonly recordingUrls: SensitiveAction;
  readonly webhookPayloads: SensitiveAction;
  readonly responseBodies: SensitiveAction;
}

/** Validated options, frozen. */
export interface ResolvedTransformOptions {
  readonly timeZone: string;
  readonly redact: ResolvedRedaction;
  /** `null` unless some action is `hash`. Never logged. */
  readonly hashKey: Uint8Array | null;
  readonly payloadConversation: PayloadConversation;
}

/** Default redaction: secret tokens masked, everything else kept. */
export const DEFAULT_REDACTION: ResolvedRedaction = Object.freeze({
  secretTokens: 'mask',
  phoneNumbers: 'keep',
  emails: 'keep',
  recordingUrls: 'keep',
  webhookPayloads: 'keep',
  responseBodies: 'keep',
});

/** Defaults of {@link TransformOptions}. */
export const DEFAULT_TRANSFORM_OPTIONS = Object.freeze({
  timeZone: 'UTC',
  redact: DEFAULT_REDACTION,
  hashKey: null,
  payloadConversation: 'drop',
}) satisfies ResolvedTransformOptions;

/** Minimum HMAC key length, in bytes. */
export const MIN_HASH_KEY_BYTES = 16;

/** Actions of every kind of sensitive value but secret tokens; the CLI's flags take theirs from here. */
export const SENSITIVE_ACTIONS: readonly SensitiveAction[] = ['keep', 'redact', 'hash'];
/** Actions of `secret_key_…` tokens: never kept as is. */
export const SECRET_ACTIONS: readonly SecretAction[] = ['mask', 'hash'];
/** The actions each kind of sensitive value accepts, keyed like {@link RedactionOptions}. */
export const REDACTION_ACTIONS: { readonly [K in keyof ResolvedRedaction]: readonly ResolvedRedaction[K][] } =
  Object.freeze({
    secretTokens: SECRET_ACTIONS,
    phoneNumbers: SENSITIVE_ACTIONS,
    emails: SENSITIVE_ACTIONS,
    recordingUrls: SENSITIVE_ACTIONS,
    webhookPayloads: SENSITIVE_ACTIONS,
    responseBodies: SENSITIVE_ACTIONS,
  });

const TOP_LEVEL_KEYS = new Set(['timeZone', 'redact', 'hashKey', 'payloadConversation']);
const resolved = new WeakSet<object>();
const DEFAULT_INPUT: TransformOptions = Object.freeze({});

/**
 * Validates `options` once and fills in defaults. A bad value throws `InvalidOptionError`
 * naming the option (`timeZone`, `redact.emails`, `hashKey`, …); the hash key is never echoed.
 *
 * @example
 * const opts = resolveTransformOptions({ timeZone: 'America/New_York', redact: { emails: 'redact' } });
 */
export function resolveTransformOptions(
  options: TransformOptions | ResolvedTransformOptions = DEFAULT_INPUT,
): ResolvedTransformOptions {
  if (resolved.has(options)) return options as ResolvedTransformOptions;
  // The common no-options call reuses one resolved object (and so one cached redactor).
  if (options === undefined || options === DEFAULT_INPUT) return defaultResolved;
  checkObject('options', options);
  for (const key of Object.keys(options)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      throw new InvalidOptionError(key, `one of the known options (${[...TOP_LEVEL_KEYS].join(', ')})`, key);
    }
  }
  const raw = options as TransformOptions;
  const timeZone =
    raw.timeZone === undefined
      ? DEFAULT_TRANSFORM_OPTIONS.timeZone
      : validateTimeZone(raw.timeZone, 'timeZone');
  const redact = resolveRedaction(raw.redact);
  const needsKey = Object.values(redact).includes('hash');
  let hashKey: Uint8Array | null = null;
  if (needsKey) {
    hashKey = resolveHashKey(raw.hashKey);
  } else if (raw.hashKey !== undefined) {
    // Validate anyway so a wrong type is caught early, but do not keep an unused key.
    resolveHashKey(raw.hashKey);
  }
  const payloadConversation =
    raw.payloadConversation === undefined
      ? DEFAULT_TRANSFORM_OPTIONS.payloadConversation
      : checkOneOf('payloadConversation', raw.payloadConversation, PAYLOAD_CONVERSATIONS, '"drop" | "keep"');
  const out: ResolvedTransformOptions = Object.freeze({ timeZone, redact, hashKey, payloadConversation });
  resolved.add(out);
  return out;
}

function resolveRedaction(value: unknown): ResolvedRedaction {
  if (value === undefined) return DEFAULT_REDACTION;
  const input = checkObject('redact', value);
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_REDACTION)) {
      throw new InvalidOptionError(
        `redact.${key}`,
        `one of ${Object.keys(DEFAULT_REDACTION).join(', ')}`,
        key,
      );
    }
  }
  const pick = <T extends string>(key: keyof ResolvedRedaction, allowed: readonly T[]): T => {
    const v = input[key];
    if (v === undefined) return DEFAULT_REDACTION[key] as T;
    return checkOneOf(`redact.${key}`, v, allowed, allowed.map((a) => `"${a}"`).join(' | '));
  };
  return Object.freeze({
    secretTokens: pick('secretTokens', REDACTION_ACTIONS.secretTokens),
    phoneNumbers: pick('phoneNumbers', REDACTION_ACTIONS.phoneNumbers),
    emails: pick('emails', REDACTION_ACTIONS.emails),
    recordingUrls: pick('recordingUrls', REDACTION_ACTIONS.recordingUrls),
    webhookPayloads: pick('webhookPayloads', REDACTION_ACTIONS.webhookPayloads),
    responseBodies: pick('responseBodies', REDACTION_ACTIONS.responseBodies),
  });
}

function resolveHashKey(value: unknown): Uint8Array {
  const expected = `a string or Uint8Array of at least ${MIN_HASH_KEY_BYTES} bytes (required when a redaction action is "hash")`;
  let bytes: Uint8Array | null = null;
  if (typeof value === 'string') bytes = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array) bytes = Uint8Array.from(value);
  // Never echo the key itself: report only its type or length.
  if (bytes === null)
    throw new InvalidOptionError('hashKey', expected, value === undefined ? undefined : typeof value);
  if (bytes.length < MIN_HASH_KEY_BYTES) {
    throw new InvalidOptionError('hashKey', expected, `a key of ${bytes.length} bytes`);
  }
  return bytes;
}

const defaultResolved: ResolvedTransformOptions = Object.freeze({
  timeZone: DEFAULT_TRANSFORM_OPTIONS.timeZone,
  redact: DEFAULT_REDACTION,
  hashKey: null,
  payloadConversation: DEFAULT_TRANSFORM_OPTIONS.payloadConversation,
});
resolved.add(defaultResolved);

/**
 * Sensitive-data handling: secret tokens, phone numbers, e-mail addresses, recording URLs.
 *
 * The webhook payload's `call_sid` carries a `secret_key_…` token (docs/api-notes.md,
 * `post_call_actions`), and receivers echo it into `response_body`, URLs and names, so tokens are
 * masked in *every* string of every row, not just in the payload. Hashing is HMAC-SHA256 with the
 * user's key: stable across runs (joins still work) and not reversible by dictionary attack
 * without the key, unlike a bare SHA-256 of a phone number.
 */
import { createHmac } from 'node:crypto';
import { LimitExceededError } from '@omnidim-stream/core';
import type { ResolvedTransformOptions, SensitiveAction } from './options.js';
import { setOwnField } from './own-field.js';

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';
/** What a redacted e-mail address inside text is replaced with. */
export const REDACTED_EMAIL = '[REDACTED_EMAIL]';
/** What a masked secret token is replaced with. */
export const MASKED_SECRET = 'secret_key_[REDACTED]';

/** Nesting deeper than this in one value is treated as a broken record. */
export const MAX_VALUE_DEPTH = 64;

/** Field names (at any depth) holding a phone number. */
export const PHONE_FIELDS: ReadonlySet<string> = new Set([
  'from_number',
  'to_number',
  'customer_phone_number',
  'phone_number',
  'phone',
]);
/** Field names (at any depth) holding a signed recording link. */
export const RECORDING_URL_FIELDS: ReadonlySet<string> = new Set(['recording_url', 'internal_recording_url']);

// Tokens may be base64 / base64url with dots (`secret_key_aBc+dEf/GhI=JkL.MnO`): the old
// `[A-Za-z0-9_-]` class stopped at the `+` and left the rest of the secret in clear. The last
// character may not be a `.`, so a token that ends a sentence keeps its full stop.
const SECRET_TOKEN = /secret_key_[A-Za-z0-9_+/=.-]*[A-Za-z0-9_+/=-]/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const DIGIT = /\d/;

/** Applies the configured redaction to strings and nested values. Build with {@link createRedactor}. */
export interface Redactor {
  /** Masks secret tokens and applies the e-mail action to one free-text string. */
  scrubText(text: string): string;
  /**
   * Returns `value` with {@link Redactor.scrubText} applied to every string and the phone /
   * recording-URL actions applied to fields of those names, at any depth. Unchanged parts
   * keep their identity. `field` is the name the value is stored under.
   */
  scrubValue(value: unknown, field?: string): unknown;
  /** Applies a column-level action (`webhookPayloads`, `responseBodies`) to a whole text. */
  applyAction(text: string, action: SensitiveAction): string;
  /** HMAC-SHA256 hex of `value` under the configured key (throws if no key was configured). */
  hash(value: string): string;
}

/**
 * Builds the {@link Redactor} for resolved options.
 *
 * @example
 * const r = createRedactor(resolveTransformOptions());
 * r.scrubText('sid secret_key_abc_123'); // 'sid secret_key_[REDACTED]'
 */
export function createRedactor(options: ResolvedTransformOptions): Redactor {
  const { redact, hashKey } = options;

  const hash = (value: string): string => {
    // Options validation guarantees a key whenever an action is 'hash'.
    if (hashKey === null) throw new TypeError('hashKey is required for hash actions');
    return createHmac('sha256', hashKey).update(value, 'utf8').digest('hex');
  };

  const scrubText = (text: string): string => {
    let out = text;
    if (out.includes('secret_key_')) {
      out = out.replace(SECRET_TOKEN, (token) =>
        redact.secretTokens === 'hash' ? `secret_key_hmac_${hash(token)}` : MASKED_SECRET,
      );
    }
    if (redact.emails !== 'keep' && out.includes('@')) {
      out = out.replace(EMAIL, (email) =>
        redact.emails === 'hash' ? hash(email.toLowerCase()) : REDACTED_EMAIL,
      );
    }
    return out;
  };

  const scrubString = (text: string, field: string | undefined): string => {
    if (field !== undefined) {
      if (redact.phoneNumbers !== 'keep' && PHONE_FIELDS.has(field) && DIGIT.test(text)) {
        // Hash the digits only, so `+1 (415) 555-0100` and `14155550100` join.
        return redact.phoneNumbers === 'hash' ? hash(text.replace(/\D/g, '')) : REDACTED;
      }
      if (redact.recordingUrls !== 'keep' && RECORDING_URL_FIELDS.has(field) && text !== '') {
        return redact.recordingUrls === 'hash' ? hash(text) : REDACTED;
      }
    }
    return scrubText(text);
  };

  const scrubValue = (value: unknown, field: string | undefined, depth: number): unknown => {
    if (typeof value === 'string') return scrubString(value, field);
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= MAX_VALUE_DEPTH) throw tooDeep();
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const next = scrubValue(item, field, depth + 1);
        if (next !== item) {
          copy ??= value.slice();
          copy[i] = next;
        }
      }
      return copy ?? value;
    }
    let copy: Record<string, unknown> | null = null;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = record[key];
      // The original key picks the field action: a masked key is never a phone/URL field name.
      const next = scrubValue(item, key, depth + 1);
      if (next !== item) {
        copy ??= { ...record };
        setOwnField(copy, key, next);
      }
    }
    // Keys are text too: `extracted_variables: {"secret_key_…": 1}` used to reach the tables.
    // The copy has the record's keys, in its order: the list is not made a second time.
    return maskKeys(copy ?? record, scrubText, keys);
  };

  return {
    scrubText,
    scrubValue: (value, field) => scrubValue(value, field, 0),
    applyAction: (text, action) => (action === 'keep' ? text : action === 'hash' ? hash(text) : REDACTED),
    hash,
  };
}

function tooDeep(): LimitExceededError {
  return new LimitExceededError('maxValueDepth', `a value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
}

/**
 * Throws what {@link Redactor.scrubValue} throws for `value` found at `depth` when it is nested
 * too deep, without scrubbing it: for parts of a value that are left out rather than stored (the
 * payload's conversation copies), so that leaving them out first changes no verdict.
 *
 * @example
 * checkValueDepth({ a: [1] }, 2); // fine; a value 64 levels deep throws LimitExceededError
 */
export function checkValueDepth(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_VALUE_DEPTH) throw tooDeep();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkValueDepth(value[i], depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) checkValueDepth(record[key], depth + 1);
}

const redactors = new WeakMap<ResolvedTransformOptions, Redactor>();

/** The {@link Redactor} of resolved options, built once per options object. */
export function redactorFor(options: ResolvedTransformOptions): Redactor {
  let redactor = redactors.get(options);
  if (redactor === undefined) {
    redactor = createRedactor(options);
    redactors.set(options, redactor);
  }
  return redactor;
}

/**
 * Masks every `secret_key_…` token in any value (deep), for records set aside in quarantine:
 * they are written out as received, minus the secrets.
 *
 * @example
 * maskSecretsDeep({ call_sid: 'secret_key_abc' }); // { call_sid: 'secret_key_[REDACTED]' }
 */
export function maskSecretsDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecretText(value);
  if (typeof value !== 'object' || value === null) return value;
  // Quarantine must never throw: past the bound the value is dropped, not the record.
  if (depth >= MAX_VALUE_DEPTH) return '[TOO_DEEP]';
  if (Array.isArray(value)) return value.map((item) => maskSecretsDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>))
    setOwnField(out, key, maskSecretsDeep(item, depth + 1));
  return maskKeys(out, maskSecretText);
}

/** `text` with every `secret_key_…` token replaced by {@link MASKED_SECRET}. */
function maskSecretText(text: string): string {
  return text.includes('secret_key_') ? text.replace(SECRET_TOKEN, MASKED_SECRET) : text;
}

/**
 * Returns `record` with every key passed through `mask` (values kept as they are), or `record`
 * itself when no key changes. Two keys that mask to the same text (or a masked key that equals
 * a key already there) would make one value silently overwrite the other, so a masked key that
 * is taken gets the first free suffix `#2`, `#3`…; keys that `mask` leaves alone keep their name.
 * Key order is kept.
 *
 * @example
 * ```ts
 * maskKeys({ secret_key_a: 1, secret_key_b: 2 }, (k) => k.replace(/secret_key_\w+/, 'secret_key_[REDACTED]'));
 * // { 'secret_key_[REDACTED]': 1, 'secret_key_[REDACTED]#2': 2 }
 * ```
 */
export function maskKeys(
  record: Record<string, unknown>,
  mask: (key: string) => string,
  /** `Object.keys(record)`, when the caller has it already. */
  keys: readonly string[] = Object.keys(record),
): Record<string, unknown> {
  let names: string[] | null = null;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const name = mask(key);
    if (name !== key) {
      names ??= keys.slice();
      names[i] = name;
    }
  }
  if (names === null) return record;
  const taken = new Set<string>();
  for (let i = 0; i < keys.length; i++) if (names[i] === keys[i]) taken.add(keys[i]!);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let name = names[i]!;
    if (name !== key) {
      // Bounded: each key takes one name, so at most keys.length suffixes are ever tried.
      const base = name;
      for (let n = 2; taken.has(name); n++) name = `${base}#${n}`;
      taken.add(name);
    }
    setOwnField(out, name, record[key]);
  }
  return out;
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PayloadConversation, RedactionOptions, TransformOptions } from '@omnidim-stream/transform';
import { UsageError } from './exit-codes.js';

/** Where the API key may come from; there is deliberately no flag (it would show in `ps`). */
export interface ApiKeySources {
  env: Record<string, string | undefined>;
  /** `--api-key-file PATH`: a file whose content (trimmed) is the key. Wins over the environment. */
  apiKeyFile?: string | undefined;
  cwd?: string | undefined;
}

/** The environment variable holding the API key. */
export const API_KEY_ENV = 'OMNIDIM_API_KEY';

/**
 * Loads the API key from `--api-key-file` or `OMNIDIM_API_KEY`, before any request. A missing or
 * empty key is a {@link UsageError} with one line that says how to provide it; the key itself is
 * never part of any message.
 *
 * @example
 * ```ts
 * const apiKey = await loadApiKey({ env: process.env, apiKeyFile: undefined });
 * ```
 */
export async function loadApiKey(sources: ApiKeySources): Promise<string> {
  if (sources.apiKeyFile !== undefined) {
    const path = resolve(sources.cwd ?? process.cwd(), sources.apiKeyFile);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`--api-key-file: cannot read ${path} (${reason})`);
    }
    const key = text.trim();
    if (key === '') throw new UsageError(`--api-key-file: ${path} is empty`);
    if (/\s/.test(key)) throw new UsageError(`--api-key-file: ${path} must hold only the key, on one line`);
    return key;
  }
  const key = sources.env[API_KEY_ENV]?.trim();
  if (!key) {
    throw new UsageError(
      `No API key: set ${API_KEY_ENV} or pass --api-key-file PATH (or try --demo, which needs no key)`,
    );
  }
  return key;
}

/**
 * Loads the HMAC key used by `hash` redaction actions from `--hash-key-file` or
 * `OMNIDIM_HASH_KEY`; like the API key it never comes from a flag value.
 *
 * @example
 * ```ts
 * const hashKey = await loadHashKey({ env: process.env, hashKeyFile: 'hash.key' });
 * ```
 */
export async function loadHashKey(sources: {
  env: Record<string, string | undefined>;
  hashKeyFile?: string | undefined;
  cwd?: string | undefined;
}): Promise<string> {
  if (sources.hashKeyFile !== undefined) {
    const path = resolve(sources.cwd ?? process.cwd(), sources.hashKeyFile);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`--hash-key-file: cannot read ${path} (${error.code ?? 'unreadable'})`);
    });
    const key = text.trim();
    if (Buffer.byteLength(key) < 16)
      throw new UsageError(`--hash-key-file: ${path} must hold a key of at least 16 bytes`);
    return key;
  }
  const key = sources.env['OMNIDIM_HASH_KEY']?.trim();
  if (!key)
    throw new UsageError('A "hash" redaction needs a key: set OMNIDIM_HASH_KEY or pass --hash-key-file PATH');
  if (Buffer.byteLength(key) < 16) throw new UsageError('OMNIDIM_HASH_KEY must hold at least 16 bytes');
  return key;
}

/** The transform's options for a run: zone, redaction actions, and the hash key when needed. */
export async function transformOptionsFor(
  options: {
    timeZone: string;
    redact: Record<string, string>;
    hashKeyFile: string | undefined;
    payloadConversation: PayloadConversation;
  },
  env: Record<string, string | undefined>,
  cwd: string | undefined,
): Promise<TransformOptions> {
  const needsKey = Object.values(options.redact).includes('hash');
  if (!needsKey && options.hashKeyFile !== undefined) {
    throw new UsageError('--hash-key-file: only used with a "hash" redaction action');
  }
  const transform: TransformOptions = {
    timeZone: options.timeZone,
    redact: options.redact as RedactionOptions,
    payloadConversation: options.payloadConversation,
  };
  if (needsKey) transform.hashKey = await loadHashKey({ env, hashKeyFile: options.hashKeyFile, cwd });
  return transform;
}

import { InvalidOptionError } from '@omnidim-stream/core';
import { UsageError } from './exit-codes.js';

/** Engine/core option names → the CLI flag that sets them, so their validation errors name the flag. */
const OPTION_FLAGS: Record<string, string> = {
  apiKey: 'OMNIDIM_API_KEY / --api-key-file',
  baseUrl: '--base-url',
  pageSize: '--page-size',
  concurrency: '--concurrency',
  workers: '--workers',
  'retry.limit': '--retries',
  'retry.maxDelayMs': '--max-retry-delay',
  'retry.maxRetryAfterMs': '--max-retry-delay',
  timeoutMs: '--timeout',
  'filters.agentId': '--agent-id',
  'filters.callStatus': '--call-status',
  'filters.bulkCallId': '--bulk-call-id',
  maxRecords: '--max-records',
  maxResponseBytes: '--max-response-size',
  maxStalePages: '--max-stale-pages',
  maxPages: '--max-pages',
  outDir: '--out',
  'incremental.stateFile': '--state',
  partitionBy: '--partition-by',
  targetFileSize: '--target-file-size',
};

/**
 * An `InvalidOptionError` of an option the CLI sets from a flag becomes a {@link UsageError}
 * naming the flag (`--base-url: expected an https URL …`); anything else is returned unchanged.
 *
 * @example
 * ```ts
 * throw withFlagName(new InvalidOptionError('pageSize', 'an integer 1–150', 0)); // "--page-size: expected …"
 * ```
 */
export function withFlagName(error: unknown): unknown {
  if (!(error instanceof InvalidOptionError)) return error;
  const flag = OPTION_FLAGS[error.option];
  if (!flag) return error;
  return new UsageError(`${flag}: ${error.message.replace(/^Invalid option "[^"]*": /, '')}`);
}

/**
 * Every exit code `omnidim-stream` returns, in one place (the README's "Exit codes" section is
 * this table). Schedulers branch on these numbers, so they never change meaning.
 *
 * - `0`   success
 * - `1`   unexpected internal error (a bug: please report it)
 * - `2`   bad usage: unknown flag, bad flag value, missing API key, unreadable input file; nothing was requested or written
 * - `3`   authentication: the API answered 401 or 403
 * - `4`   API failure after retries (timeouts, 5xx, invalid responses, unreconcilable drift, a safety bound hit: `--max-response-size`, `--max-stale-pages`, `--max-pages`)
 * - `5`   incomplete export: fewer calls than the API announced or not proven complete (completeness check), or more records quarantined than `--max-quarantined` allows
 * - `6`   output error: the dataset could not be written or committed (disk full, permissions, …)
 * - `7`   invalid input: `convert` met a file that is not JSON / NDJSON call logs
 * - `8`   locked: another live run holds the dataset's lock (`<out>/_lock`); this run wrote nothing
 * - `130` interrupted by SIGINT (Ctrl-C); nothing of this run was committed
 * - `143` terminated by SIGTERM; nothing of this run was committed
 *
 * @example
 * ```ts
 * import { EXIT_CODES } from '@omnidim-stream/cli';
 * if (code === EXIT_CODES.AUTH) rotateKey();
 * ```
 */
export const EXIT_CODES = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  AUTH: 3,
  API: 4,
  INCOMPLETE: 5,
  OUTPUT: 6,
  INPUT: 7,
  LOCKED: 8,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export { InputError, UsageError } from '@omnidim-stream/engine';

/** Node's own file-system error codes, which mean the output could not be written. */
const OUTPUT_ERRNOS = new Set([
  'ENOSPC',
  'EACCES',
  'EPERM',
  'EROFS',
  'EDQUOT',
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'EMFILE',
]);

/**
 * Maps an error to its exit code, by `code` only (never by message text). `signalName` is the
 * signal that aborted the run, when one did.
 *
 * @example
 * ```ts
 * exitCodeFor(new UnauthorizedError()); // 3
 * ```
 */
export function exitCodeFor(error: unknown, signalName?: string): ExitCode {
  const code = errorCode(error);
  if (code === 'ABORTED' || code === 'ABORT_ERR' || signalName !== undefined) {
    if (signalName === 'SIGTERM') return EXIT_CODES.SIGTERM;
    if (signalName === 'SIGINT' || code === 'ABORTED' || code === 'ABORT_ERR') return EXIT_CODES.SIGINT;
  }
  switch (code) {
    case 'USAGE':
    case 'INVALID_OPTION':
      return EXIT_CODES.USAGE;
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return EXIT_CODES.AUTH;
    case 'HTTP_STATUS':
    case 'INVALID_RESPONSE':
    case 'TIMEOUT':
    case 'NETWORK':
    case 'TLS':
    case 'RETRY_EXHAUSTED':
    case 'DRIFT':
    case 'LIMIT_EXCEEDED':
    case 'RESPONSE_TOO_LARGE':
      return EXIT_CODES.API;
    case 'INCOMPLETE':
      return EXIT_CODES.INCOMPLETE;
    case 'SINK':
      return EXIT_CODES.OUTPUT;
    case 'LOCKED':
      return EXIT_CODES.LOCKED;
    case 'INPUT':
    case 'INVALID_RECORD':
      return EXIT_CODES.INPUT;
    case 'INTERNAL':
      return EXIT_CODES.INTERNAL;
    default:
      if (code !== undefined && OUTPUT_ERRNOS.has(code)) return EXIT_CODES.OUTPUT;
      return EXIT_CODES.INTERNAL;
  }
}

function errorCode(error: unknown): string | undefined {
  // Every omnidim-stream error (and Node's own) carries a string `code`; nothing else is read.
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

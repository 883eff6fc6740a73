/**
 * The engine's own coded errors (exit codes 2 and 7 in the CLI's table). They moved here from
 * the CLI's `exit-codes.ts`, which re-exports them, so `instanceof` and `code` are unchanged.
 */

/** A usage problem found before any request or write (a bad state file, a bad option): code `USAGE`. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `convertCallLogs`'s input is not what it should be: code `INPUT`. */
export class InputError extends Error {
  readonly code = 'INPUT';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'InputError';
  }
}

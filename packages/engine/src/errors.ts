/**
 * The engine's own coded errors (exit codes 2 and 7 in the CLI's table), inside core's one error
 * union (`USAGE`, `INPUT`). The CLI's `exit-codes.ts` re-exports them.
 */
import { OmnidimError, type OmnidimErrorOptions } from '@omnidim-stream/core';

/** A usage problem found before any request or write (a bad state file, a bad option): code `USAGE`. */
export class UsageError extends OmnidimError {
  declare readonly code: 'USAGE';
  constructor(message: string, options: OmnidimErrorOptions = {}) {
    super('USAGE', message, options);
  }
}

/** `convertCallLogs`'s input is not what it should be: code `INPUT`. */
export class InputError extends OmnidimError {
  declare readonly code: 'INPUT';
  constructor(message: string, options: OmnidimErrorOptions = {}) {
    super('INPUT', message, options);
  }
}

/**
 * More records were quarantined than `maxQuarantined` allows (quarantine-limit.ts): code
 * `INCOMPLETE` (CLI exit 5), since the calls set aside are calls the lake would be missing.
 */
export class QuarantineLimitError extends OmnidimError {
  declare readonly code: 'INCOMPLETE';
  readonly quarantined: number;
  constructor(message: string, quarantined: number) {
    super('INCOMPLETE', message);
    this.quarantined = quarantined;
  }
}

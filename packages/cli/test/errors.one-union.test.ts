import { ERROR_CODES, isOmnidimError, OmnidimError } from '@omnidim-stream/core';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, InputError, UsageError } from '../src/exit-codes.js';
import { resolveExportOptions } from '../src/export-options.js';

describe('CLI errors inside the one error union', () => {
  it('UsageError is an OmnidimError with code USAGE, exit 2', () => {
    const error = new UsageError('--page-size: expected an integer');
    expect(error).toBeInstanceOf(OmnidimError);
    expect(isOmnidimError(error)).toBe(true);
    expect(error.code).toBe('USAGE');
    expect(error.name).toBe('UsageError');
    expect(ERROR_CODES).toContain(error.code);
    expect(exitCodeFor(error)).toBe(2);
  });

  it('InputError is an OmnidimError with code INPUT and its cause, exit 7', () => {
    const cause = new Error('cut');
    const error = new InputError('not NDJSON', { cause });
    expect(isOmnidimError(error)).toBe(true);
    expect(error.code).toBe('INPUT');
    expect(error.cause).toBe(cause);
    expect(exitCodeFor(error)).toBe(7);
  });

  it('a bad flag value is a USAGE error naming the flag, expected and received', () => {
    let thrown: unknown;
    try {
      resolveExportOptions({ out: 'lake', 'page-size': '151' }, {}, '/tmp');
    } catch (error) {
      thrown = error;
    }
    expect(isOmnidimError(thrown)).toBe(true);
    expect((thrown as OmnidimError).code).toBe('USAGE');
    expect((thrown as Error).message).toBe('--page-size: expected an integer from 1 to 150, received "151"');
  });
});

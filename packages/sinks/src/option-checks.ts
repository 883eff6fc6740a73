import { checkBoolean, checkInteger, checkOneOf } from '@omnidim-stream/core';

/**
 * The sinks' names for core's one options-check kit (packages/core/src/option-check.ts), kept so
 * the writers' call sites read as before; each throws an `InvalidOptionError` naming the option.
 */
export const oneOf = checkOneOf;

export function positiveInteger(option: string, value: unknown): number {
  return checkInteger(option, value, { min: 1, max: Number.MAX_SAFE_INTEGER });
}

export function isBoolean(option: string, value: unknown): boolean {
  return checkBoolean(option, value);
}

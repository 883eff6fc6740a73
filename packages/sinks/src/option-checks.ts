import { InvalidOptionError } from '@omnidim-stream/core';

/** Small validators shared by every entry point; each throws an `InvalidOptionError` naming the option. */
export function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidOptionError(option, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
}

export function positiveInteger(option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new InvalidOptionError(option, 'a positive integer', value);
}

export function isBoolean(option: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(option, 'a boolean', value);
}

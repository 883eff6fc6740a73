/**
 * Reading one flag's value from yargs' argv. Numbers, names and URLs are checked by core's one
 * options-check kit (packages/core/src/option-check.ts) under the flag's own name; its
 * `InvalidOptionError` becomes a {@link UsageError} worded `--flag: expected …, received …`.
 */
import {
  checkIntegerText,
  checkNumberText,
  checkOneOf,
  InvalidOptionError,
  type Range,
} from '@omnidim-stream/core';
import { parseByteSize } from './byte-size.js';
import { parseDuration } from './duration.js';
import { UsageError } from './exit-codes.js';

export type Argv = Record<string, unknown>;

/**
 * Runs one core check and rewords its failure as a usage error (exit 2) naming the flag or the
 * environment variable the value came from.
 *
 * @example
 * asUsage(() => checkApiUrl('--base-url', 'ftp://x')); // throws UsageError "--base-url: expected …"
 */
export function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    throw new UsageError(`${error.option}: expected ${error.expected}, received ${error.received}`, {
      cause: error,
    });
  }
}

/** The flag's value, refusing a flag given twice (yargs would hand over an array). */
export function single(argv: Argv, flag: string): unknown {
  const value = argv[flag];
  if (Array.isArray(value)) throw new UsageError(`--${flag}: given ${value.length} times; give it once`);
  return value;
}

/** The flag's trimmed text, `undefined` when absent; an empty value is a usage error. */
export function optionalString(argv: Argv, flag: string): string | undefined {
  const value = single(argv, flag);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${flag}: expected a value`);
  return value.trim();
}

/** One of `allowed`, `undefined` when absent. */
export function oneOf<T extends string>(argv: Argv, flag: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(argv, flag);
  if (value === undefined) return undefined;
  return asUsage(() => checkOneOf(`--${flag}`, value, allowed, `one of ${allowed.join(', ')}`));
}

/** A whole number within `range`, `undefined` when absent. */
export function integer(argv: Argv, flag: string, range: Range): number | undefined {
  const raw = single(argv, flag);
  if (raw === undefined) return undefined;
  return asUsage(() => checkIntegerText(`--${flag}`, String(raw).trim(), range));
}

/** A non-negative decimal (or, with `whole`, integer) within `range`, `undefined` when absent. */
export function decimal(argv: Argv, flag: string, range: Range, whole = false): number | undefined {
  const raw = single(argv, flag);
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  return asUsage(() =>
    whole ? checkIntegerText(`--${flag}`, text, range) : checkNumberText(`--${flag}`, text, range),
  );
}

/** A duration (`30s`, `2m`, `1h`) in ms, at most `maxMs`; `fallback` when absent. */
export function duration(argv: Argv, flag: string, fallback: string, maxMs: number): number {
  const text = optionalString(argv, flag) ?? fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms > maxMs) {
    throw new UsageError(
      `--${flag}: expected a duration like 30s, 2m or 1h (at most ${maxMs / 3_600_000}h), received ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

/** A size (`16MiB`, `512KiB`) in bytes, at least `minBytes`; `fallback` when absent. */
export function byteSize(argv: Argv, flag: string, fallback: string, minBytes: number): number {
  const text = optionalString(argv, flag) ?? fallback;
  const bytes = parseByteSize(text);
  // Below 1 KiB not even an error body fits: almost certainly a missing unit.
  if (bytes === undefined || bytes < minBytes) {
    throw new UsageError(
      `--${flag}: expected a size of at least ${minBytes >= 1024 ** 2 ? `${minBytes / 1024 ** 2}MiB` : `${minBytes / 1024}KiB`} like 16MiB, 512KiB or 1GiB, received ${JSON.stringify(text)}`,
    );
  }
  return bytes;
}

/** A comma-separated list of names from `allowed` (the flag may repeat), deduplicated. */
export function nameList<T extends string>(argv: Argv, flag: string, allowed: readonly T[]): T[] | undefined {
  const raw = argv[flag];
  if (raw === undefined) return undefined;
  const names = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--${flag}: expected one or more of ${allowed.join(', ')}`);
  for (const name of names) {
    asUsage(() => checkOneOf(`--${flag}`, name, allowed, `names from ${allowed.join(', ')}`));
  }
  return [...new Set(names)] as T[];
}

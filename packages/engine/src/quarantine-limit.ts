import { InvalidOptionError } from '@omnidim-stream/core';
import { QuarantineLimitError } from './errors.js';

/**
 * `maxQuarantined`: how many broken records a run may set aside before it is refused. A count
 * (`5`: at most 5) or a share of the call logs read (`'2%'`, `'0.5%'`). Past it the run fails
 * with code `INCOMPLETE` (CLI exit 5) and commits nothing: an API that starts sending records
 * the transform cannot read would otherwise empty a lake into its quarantine with exit 0
 * (issue 19).
 */
export type QuarantineLimit = number | `${number}%`;

/** A validated {@link QuarantineLimit}. */
export type ResolvedQuarantineLimit =
  | { kind: 'count'; max: number; text: string }
  | { kind: 'percent'; max: number; text: string };

const EXPECTED = 'an integer ≥ 0 or a percentage 0–100 like "2%"';

/**
 * Validates `maxQuarantined` once, before any request or write (`InvalidOptionError` naming it).
 *
 * @example
 * ```ts
 * resolveQuarantineLimit('2.5%'); // { kind: 'percent', max: 2.5, text: '2.5%' }
 * ```
 */
export function resolveQuarantineLimit(value: unknown): ResolvedQuarantineLimit | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new InvalidOptionError('maxQuarantined', EXPECTED, value);
    return { kind: 'count', max: value, text: String(value) };
  }
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)%$/.exec(value.trim()) : null;
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!(percent >= 0 && percent <= 100)) throw new InvalidOptionError('maxQuarantined', EXPECTED, value);
  return { kind: 'percent', max: percent, text: `${match?.[1]}%` };
}

/**
 * Throws {@link QuarantineLimitError} when `quarantined` of `records` call logs read is past the
 * limit. Called once every row is staged and before anything is published, so a refused run
 * leaves the previous dataset as it was. A share is of the call logs that reached the transform
 * (quarantined ones included); with none read, nothing is past any share.
 */
export function checkQuarantineLimit(
  limit: ResolvedQuarantineLimit | undefined,
  quarantined: number,
  records: number,
): void {
  if (limit === undefined) return;
  const over =
    limit.kind === 'count'
      ? quarantined > limit.max
      : records > 0 && (quarantined / records) * 100 > limit.max;
  if (!over) return;
  const share = records > 0 ? ` (${((quarantined / records) * 100).toFixed(1)}%)` : '';
  throw new QuarantineLimitError(
    `${quarantined} of ${records} call log(s) quarantined${share}, more than maxQuarantined (CLI: --max-quarantined) ${limit.text}; nothing committed, the previous dataset is intact`,
    quarantined,
  );
}

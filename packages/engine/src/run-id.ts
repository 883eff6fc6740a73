import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by start time: `20260504T144615Z-1a2b3c`. It names the run's staging dir,
 * its files and its quarantine, so two runs never share one.
 *
 * @example
 * ```ts
 * newRunId(new Date('2026-05-04T14:46:15Z')); // '20260504T144615Z-' + 6 hex digits
 * ```
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

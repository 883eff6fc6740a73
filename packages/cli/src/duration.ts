/** Units durations (`--lookback`, `--timeout`, `--max-retry-delay`) accept, in ms. */
const UNITS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The longest lookback accepted (a typo like `240d` should not silently re-read years). */
export const MAX_DURATION_MS = 366 * UNITS['d']!;

/**
 * Parses a duration like `24h`, `90m`, `2d`, `30s` or `1d12h` into ms; `undefined` when the text is
 * not one (no unit, unknown unit, zero, or longer than {@link MAX_DURATION_MS}).
 *
 * @example
 * ```ts
 * parseDuration('90m'); // 5_400_000
 * parseDuration('1d12h'); // 129_600_000
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) {
    total += Number(amount) * UNITS[unit!]!;
  }
  return total > 0 && total <= MAX_DURATION_MS ? total : undefined;
}

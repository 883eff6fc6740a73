/**
 * Repeated runs of one case and their median (issue 21: "ratios measured in one run"; single runs
 * flipped verdicts on this shared machine, the same export measuring 376 and 456 µs per call two
 * minutes apart). A goal's figure is the median of `ctx.repeats` runs made within the same bench
 * run, the cases of one goal interleaved round by round so that a noisy minute hits every side.
 */

/**
 * The median of `values` (the mean of the two middle ones for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The run whose `metric` is the median (the lower middle one for an even count): a real run, so
 * its other figures (RSS, CPU, rows) stay consistent with each other.
 *
 * @example
 * medianRun(runs, (r) => r.wallMs).wallMs;
 */
export function medianRun<T>(runs: readonly T[], metric: (run: T) => number): T {
  if (runs.length === 0) throw new Error('medianRun of no runs');
  const sorted = [...runs].sort((a, b) => metric(a) - metric(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * `n` rounds of `round(i)`, one after the other: each round runs every case of a goal once.
 *
 * @example
 * const rounds = await inRounds(ctx.repeats, async () => ({ loop: await loop(), ours: await ours() }));
 */
export async function inRounds<T>(n: number, round: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < n; i++) results.push(await round(i));
  return results;
}

/**
 * The runs' figures in the order they ran, for the table's notes: `5,872 / 6,010 / 5,790`.
 *
 * @example
 * runsText([5872, 6010], fmt); // '5,872 / 6,010'
 */
export function runsText(values: readonly number[], format: (value: number) => string): string {
  return values.map((value) => format(value)).join(' / ');
}

/**
 * The prefix a goal's measured figure gets when it is a median: `medians of 3: `, or nothing for
 * a single run.
 *
 * @example
 * `${medians(ctx)}loop 5,872 ms ÷ ours 7,083 ms`;
 */
export function medians(ctx: { repeats: number }): string {
  return ctx.repeats > 1 ? `medians of ${ctx.repeats}: ` : '';
}

/**
 * History sizes shared by several goals. Goals 1, 3 and 4 measure the same zero-latency replay,
 * so goal 3 can reuse goal 1's Parquet export (bench/lib/engine-run.ts) and the rows compare.
 */

/** Calls of the zero-latency history: 20,000 (the size); --quick: 4 pages. */
export function zeroLatencyCalls(quick: boolean): number {
  return quick ? 600 : 20_000;
}

/**
 * The goal table of issue 21: one row per goal, with its target, what this run measured, and
 * whether it was met. A missed goal carries what bounds it (the case's CPU profile summary), so
 * the table says why, not only that.
 */

/** `reference`: a row printed for comparison, with no target of its own. */
export type Verdict = 'met' | 'missed' | 'n/a' | 'reference';

export interface GoalRow {
  /** `1a. vs the naive loop, 0 ms, 20,000 calls` */
  goal: string;
  /** `≥ 1.2× (stretch 1.5×)` */
  target: string;
  /** The figure, with what it was computed from. */
  measured: string;
  verdict: Verdict;
  /** For a miss: what bounds it (the profile's top hotspots), in one line. */
  bound?: string;
}

/** `met` when `value ≥ target`; `n/a` when nothing was measured. */
export function atLeast(value: number | undefined, target: number): Verdict {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value >= target ? 'met' : 'missed';
}

/** `met` when `value ≤ target`; `n/a` when nothing was measured. */
export function atMost(value: number | undefined, target: number): Verdict {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value <= target ? 'met' : 'missed';
}

/** Both verdicts must be met; `n/a` if either is. */
export function both(a: Verdict, b: Verdict): Verdict {
  if (a === 'n/a' || b === 'n/a' || a === 'reference' || b === 'reference') return 'n/a';
  return a === 'met' && b === 'met' ? 'met' : 'missed';
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * The rows as a Markdown table (goal, target, measured, verdict, what bounds a miss).
 *
 * @example
 * console.log(renderGoalTable([{ goal: '3. CPU', target: '≤ 2×', measured: '1.8×', verdict: 'met' }]));
 */
export function renderGoalTable(rows: readonly GoalRow[]): string {
  const lines = [
    '| goal | target | measured | verdict | what bounds a miss |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const verdict = row.verdict === 'missed' ? '**missed**' : row.verdict;
    lines.push(
      `| ${cell(row.goal)} | ${cell(row.target)} | ${cell(row.measured)} | ${verdict} | ${cell(row.bound ?? '')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Stray old calls: a call whose `time_of_call` is older than the run's lower bound (`--since`,
 * or an incremental run's cutoff) but that sits among newer calls in the newest-first list. The
 * list is ordered by id, and `time_of_call` only usually rises with it (docs/api-notes.md: a
 * window built from these times "must never skip calls because one time is wrong"). So one old
 * time is not proof that paging is past the bound: only a run of {@link OLD_CALLS_TO_STOP}
 * consecutive old calls ends it (export-source.ts), and the old calls seen before a newer one are
 * strays, set aside here with a reason rather than dropped (window-records.ts).
 */

/**
 * How many consecutive calls older than the bound end paging: 20. One wrong time (or a handful)
 * never ends a run early; the price is reading at most 19 calls past the bound (at most one extra
 * page at the default page size of 150). A fixed count rather than "one page" so that the rule
 * does not change with `--page-size` (a page of 1 would bring the defect back). A run of 20 or
 * more wrong old times in a row is indistinguishable from the real end of the window and still
 * ends it (README "Scheduled runs").
 */
export const OLD_CALLS_TO_STOP = 20;

/** The quarantine reason of a stray old call in an incremental run. */
export const STRAY_OLD_CALL_REASON = 'OLDER_THAN_CUTOFF';

/**
 * An incremental run's stray old call on its way to the quarantine (run-pipeline.ts). Its date
 * partition is not being replaced by this run, and writing it would replace that partition with
 * this one row, so it is never written to the tables.
 */
export class StrayOldCall {
  readonly reason = STRAY_OLD_CALL_REASON;
  constructor(
    readonly record: unknown,
    readonly detail: string,
  ) {}
}

/** True when `instant` is known and older than `oldest` (unknown times are never old). */
export function isOlderThan(instant: number | undefined, oldest: number | undefined): boolean {
  return instant !== undefined && oldest !== undefined && instant < oldest;
}

/**
 * Drift-safe paging: turning offset pages of a list that changes during the export into a
 * sequence where every call that existed when the export started appears exactly once, newest
 * first. Pure state machine, no I/O: paginate.ts feeds it pages and performs the refetches it asks for.
 *
 * ## The problem (NOTES.md "Ordering and paging")
 * `GET /calls/logs` is newest first with offset paging (`pageno`, `pagesize`) and no cursor.
 * - Calls inserted at the head during the export push older rows to later offsets: read
 *   sequentially, rows at the end of page k reappear at the start of page k+1 (duplicates).
 * - With parallel prefetch a page can be served AFTER its successor. If page k saw s_k inserted
 *   rows and page k+1 saw fewer (s_{k+1} < s_k), the s_k − s_{k+1} rows between them were on
 *   neither page: a silent gap. Deduplication alone cannot see this.
 * - Deletions move rows the other way and make a row slip past a page boundary.
 *
 * ## Coordinates
 * `T0` = `total_records` of page 1 (fetched alone before any prefetch), the list the export
 * promises to cover. For a page with grid offset `o = (pageno − 1)·pageSize` whose response
 * reported `total`, the net shift is `s = total − T0` (insertions − deletions since page 1), and
 * its row `i` sat at START offset `o − s + i`. With insertions only at the head this is exact.
 * `h` is the coverage high-water mark: start offsets `[0, h)` have been passed on, in order;
 * the anchor is the last row passed on (start offset `h − 1`).
 *
 * ## Reconciling a page (in page order, whatever order pages arrived in)
 * 1. Anchor in the page at index `a` (found by id): continuity is PROVEN whatever happened
 *    (rows after the anchor are exactly the rows that now follow it); rows up to `a` are
 *    duplicates or newer calls. The anchor's true shift `o + a − (h − 1)` exceeding `s` means
 *    rows below the anchor were deleted: reported as a deletion.
 * 2. Anchor absent: expected anchor index `j = h − 1 − o + s`.
 *    - `j = −1`: the page starts right after the anchor: accept it whole.
 *    - `j < −1`: a gap of `−1 − j` rows precedes this page. Ask for a refetch of the page that
 *      NOW holds start offset `h`: current offset `h + s_max` (s_max = the largest shift seen,
 *      which is the latest one under insertions). That page either contains the anchor (case 1,
 *      proven) or starts exactly at `h` (j = −1). Then this page is reconciled again. Refetches
 *      per gap are bounded (`maxRefetchesPerGap`); if drift outruns them the page is accepted
 *      with an `unverified` drift event (or DriftError with `onDeletion: 'error'`).
 *    - `j ≥ 0`: the anchor should be here but is not: it was deleted or rows moved unexpectedly.
 *      Unseen rows are accepted (never lose a row) except rows whose numeric id is above the
 *      anchor's, which are newer calls (the list is id-descending); reported as `unverified`.
 *    Rows whose id was already passed on are always dropped (a `Set` of seen ids), so no id is
 *    ever passed on twice even when the arithmetic is wrong.
 * 3. Rows newer than the export's start are not passed on (they would break newest→oldest order
 *    and were not promised); they are counted as `insertedSeen`. Re-run the export to get them.
 *    Besides the arithmetic, a row whose numeric id is above `newestId` (the first row of page 1
 *    at the start) is never passed on: the list is id-descending, so it arrived after the start.
 *
 * ## Resuming (checkpoint.ts)
 * A reconciler built from a checkpoint starts with the checkpoint's coverage (`position`) and
 * anchor (`lastId`) but without the set of ids passed on before: so a resumed reconciler also
 * never passes on a row whose numeric id is not below `lastId` (id-descending list: such a row
 * was handed on by the earlier run, or is newer than the view). Rows it skips are counted as
 * `duplicatesDropped` (id ≤ `newestId`) or `insertedSeen` (above it).
 *
 * ## Deletions
 * They cannot be located from counts alone, so they are detected as lower bounds, never silently:
 * a negative shift (more deleted than inserted) and an anchor found further down than the
 * arithmetic says. `deletionsDetected` is the largest of these bounds. Calls deleted before we
 * read them are simply gone; calls deleted after we read them were already passed on. Fewer
 * distinct calls than `T0 − deletionsDetected` at the end is NOT counted as a deletion (nothing
 * proves one): {@link DriftReconciler.finish} reports it as `unverified`, and completeness.ts as
 * `missing` (a page that stayed short, the simulator's 'short' fault, ends up here).
 */
import type { CallLog } from './call-log.js';
import type { CallLogCheckpoint } from './checkpoint.js';
import type { DriftEvent } from './events.js';

/** One page as the reconciler sees it. */
export interface DriftPage {
  page: number;
  records: CallLog[];
  total_records: number;
}

/**
 * What to do with a page: pass `records` on (`offsets[i]` is the start offset of `records[i]`),
 * or first fetch `refetchPage` and offer this page again.
 */
export type DriftDecision =
  | { kind: 'accept'; records: CallLog[]; offsets: number[]; events: DriftEvent[] }
  | { kind: 'refetch'; refetchPage: number; events: DriftEvent[] };

/** Start-offset window a page covered: `[start, end)`. Exported for tests and docs. */
export function pageWindow(
  page: number,
  pageSize: number,
  received: number,
  total: number,
  totalAtStart: number,
): { start: number; end: number; shift: number } {
  const shift = total - totalAtStart;
  const start = (page - 1) * pageSize - shift;
  return { start, end: start + received, shift };
}

/** Gap in start offsets between covered `[0, covered)` and a window starting at `start` (0 = none). */
export function gapBefore(covered: number, start: number): number {
  return Math.max(0, start - covered);
}

/**
 * The drift reconciler (see the comment block above for the algorithm).
 *
 * @example
 * const r = new DriftReconciler(150);
 * const d = r.accept({ page: 1, records, total_records: 1000 });
 * if (d.kind === 'accept') for (const row of d.records) console.log(row.id);
 */
export class DriftReconciler {
  readonly pageSize: number;
  totalAtStart: number | undefined;
  /** Start offsets [0, covered) passed on. */
  covered = 0;
  duplicatesDropped = 0;
  insertedSeen = 0;
  deletionsDetected = 0;
  passed = 0;
  /** Id of the first row of page 1 at the start (or the checkpoint's). */
  newestId: unknown;
  private anchor: { id: unknown } | undefined;
  private readonly seen = new Set<unknown>();
  private maxShift = 0;
  /** Resumed: rows with a numeric id at or above this were handed on before (or are newer). */
  private readonly floorId: number | undefined;
  /** Deletions below the anchor proven by finding it further down than `total_records` implies. */
  private correction = 0;
  /** Next page to refetch while closing a gap (sequential advance from the anchor). */
  private gapCursor: number | undefined;
  private lastInsertReported = 0;
  private deletionsFromAnchors = 0;

  /** `resume`: continue from a checkpoint (see "Resuming" above). */
  constructor(pageSize: number, resume?: CallLogCheckpoint) {
    this.pageSize = pageSize;
    this.floorId = undefined;
    if (resume) {
      this.totalAtStart = resume.totalAtStart;
      this.newestId = resume.newestId;
      this.covered = resume.position;
      this.passed = resume.emitted;
      this.deletionsDetected = resume.deletionsDetected;
      if (resume.lastId !== null) this.anchor = { id: resume.lastId };
      if (typeof resume.lastId === 'number') this.floorId = resume.lastId;
      // The shift now is unknown until the first response: let observeTotal() set it.
      this.maxShift = Number.NEGATIVE_INFINITY;
    }
  }

  /** Latest known shift of the anchor (aims a resumed source's first request; see checkpoint.ts). */
  get latestShift(): number {
    return Number.isFinite(this.maxShift) ? this.maxShift + this.correction : 0;
  }

  /**
   * Page that holds the anchor when the list reports `total` (undefined before any row was passed
   * on). Exact under insertions at the head; deletions below the anchor make it a lower bound.
   */
  anchorPage(total: number): number | undefined {
    if (this.anchor === undefined || this.covered === 0) return undefined;
    const current = this.covered - 1 + total - (this.totalAtStart ?? total) + this.correction;
    return Math.floor(Math.max(0, current) / this.pageSize) + 1;
  }

  /** Page to request to fill a gap in front of the current coverage, given the latest shift. */
  gapRefetchPage(): number {
    if (this.gapCursor !== undefined) return this.gapCursor;
    // The page that now holds the anchor (start offset covered − 1): under insertions the
    // latest shift is the largest one seen; deletions below the anchor do not move it.
    const current = this.covered - 1 + this.maxShift + this.correction;
    return Math.floor(Math.max(0, current) / this.pageSize) + 1;
  }

  /**
   * Records a `total_records` as soon as a response arrives (prefetched pages arrive before they
   * are reconciled), so gap refetches aim with the latest shift.
   */
  observeTotal(total: number): void {
    if (this.totalAtStart !== undefined) this.maxShift = Math.max(this.maxShift, total - this.totalAtStart);
  }

  /**
   * Reconciles a page refetched to close a gap. Refetches then advance page by page from the
   * anchor (proven continuity) until the gap is closed or the caller's budget is spent.
   */
  acceptRefetch(input: DriftPage): DriftDecision {
    const decision = this.accept(input);
    this.gapCursor = decision.kind === 'accept' ? input.page + 1 : undefined;
    return decision;
  }

  /**
   * Reconciles one page. `force` accepts it even when a gap precedes it (refetch budget spent).
   */
  accept(input: DriftPage, force = false): DriftDecision {
    const events: DriftEvent[] = [];
    const { records, page } = input;
    if (this.totalAtStart === undefined) {
      this.totalAtStart = input.total_records;
      if (page === 1) this.newestId = records[0]?.id;
    }
    const t0 = this.totalAtStart;
    const offset = (page - 1) * this.pageSize;
    const shift = input.total_records - t0;
    const event = (kind: DriftEvent['kind'], count: number, detail: string): DriftEvent => ({
      kind,
      page,
      totalAtStart: t0,
      total_records: input.total_records,
      shift,
      count,
      detail,
    });
    if (shift > this.maxShift) this.maxShift = shift;
    if (shift > this.lastInsertReported) {
      events.push(
        event('insert', shift - this.lastInsertReported, `${shift} call(s) more than at the start`),
      );
      this.lastInsertReported = shift;
    }
    this.noteDeletions(-shift, events, event, 'total_records fell below its value at the start');

    let startIndex: number;
    let pageShift = shift;
    let olderThan: number | undefined;
    const anchorIndex = this.anchor === undefined ? -1 : records.findIndex((r) => r.id === this.anchor?.id);
    if (this.anchor === undefined) {
      startIndex = 0;
    } else if (anchorIndex >= 0) {
      startIndex = anchorIndex + 1;
      pageShift = offset + anchorIndex - (this.covered - 1);
      this.correction = Math.max(0, pageShift - shift);
      if (pageShift > shift) {
        this.deletionsFromAnchors = Math.max(this.deletionsFromAnchors, pageShift - shift);
        this.noteDeletions(
          this.deletionsFromAnchors,
          events,
          event,
          'rows below the last call read disappeared',
        );
      }
    } else {
      const j = this.covered - 1 - offset + shift + this.correction;
      if (j < -1 && !force) {
        events.push(
          event('gap', -1 - j, `start offsets ${this.covered}..${this.covered - 2 - j} not covered yet`),
        );
        return { kind: 'refetch', refetchPage: this.gapRefetchPage(), events };
      }
      if (j < -1) {
        events.push(event('unverified', -1 - j, 'gap could not be closed by refetching; continuing'));
        startIndex = 0;
      } else if (j === -1) {
        startIndex = 0;
      } else if (j >= records.length) {
        startIndex = records.length;
      } else {
        // The anchor should be on this page but is not: it was deleted, or rows moved in a way
        // the totals do not explain. Keep every unseen row older than the anchor.
        events.push(event('unverified', 0, `the last call read is missing from page ${page}`));
        startIndex = 0;
        olderThan = typeof this.anchor.id === 'number' ? this.anchor.id : undefined;
      }
    }

    const out: CallLog[] = [];
    const offsets: number[] = [];
    const newest = typeof this.newestId === 'number' ? this.newestId : undefined;
    for (let i = 0; i < records.length; i += 1) {
      const row = records[i] as CallLog;
      const id = row.id;
      const known = id !== undefined && id !== null && this.seen.has(id);
      const numeric = typeof id === 'number';
      const afterView = numeric && newest !== undefined && id > newest;
      const tooNew =
        afterView ||
        (numeric && olderThan !== undefined && id > olderThan) ||
        (numeric && this.floorId !== undefined && id >= this.floorId);
      if (i < startIndex || tooNew) {
        // Resumed: a row of the view above the anchor was handed on by the earlier run.
        const before = !afterView && numeric && this.floorId !== undefined && id >= this.floorId;
        if (known || before) this.duplicatesDropped += 1;
        else this.insertedSeen += 1;
        continue;
      }
      if (known) {
        this.duplicatesDropped += 1;
        continue;
      }
      if (id !== undefined && id !== null) this.seen.add(id);
      out.push(row);
      offsets.push(offset - pageShift + i);
    }
    if (out.length > 0) {
      this.anchor = { id: out[out.length - 1]?.id };
      this.covered = Math.max(this.covered, offset - pageShift + records.length);
      this.passed += out.length;
    }
    return { kind: 'accept', records: out, offsets, events };
  }

  /**
   * Final check when paging ended on a short or empty page: fewer distinct calls than the list
   * had at the start, beyond the deletions detected, is reported as `unverified` (calls lost
   * without evidence of a deletion, e.g. a page that stayed short). Not counted as deletions.
   */
  finish(lastTotal: number): DriftEvent[] {
    const t0 = this.totalAtStart ?? 0;
    const missing = t0 - this.deletionsDetected - this.passed;
    if (missing <= 0) return [];
    return [
      {
        kind: 'unverified',
        page: 0,
        totalAtStart: t0,
        total_records: lastTotal,
        shift: lastTotal - t0,
        count: missing,
        detail: `${this.passed} distinct call(s) read of ${t0} at the start, ${this.deletionsDetected} deletion(s) detected: ${missing} call(s) missing without a detected deletion`,
      },
    ];
  }

  private noteDeletions(
    bound: number,
    events: DriftEvent[],
    event: (kind: DriftEvent['kind'], count: number, detail: string) => DriftEvent,
    detail: string,
  ): void {
    if (bound > this.deletionsDetected) {
      events.push(event('deletion', bound - this.deletionsDetected, detail));
      this.deletionsDetected = bound;
    }
  }
}

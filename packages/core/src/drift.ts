/**
 * Drift-safe paging: turning offset pages of a list that changes during the export into a
 * sequence where every call that existed when the export started appears exactly once, newest
 * first. Pure state machine, no I/O: run-pages.ts feeds it pages and performs the refetches it asks for.
 * The state lives in drift-state.ts; each path is a file of its own (positional-path.ts,
 * ordered-path.ts with ordered-boundary.ts, probes in probe-window.ts, deletion and order evidence
 * in drift-evidence.ts, anchor arithmetic in anchor-tracking.ts).
 *
 * ## The problem (docs/api-notes.md "Ordering and paging")
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
 * ## Deletions: the ordered path (numeric anchor id)
 * Deletions above a page boundary slide surviving calls up across it, and `total_records` cannot
 * tell them from deletions further down. So, whenever the anchor's id is numeric, the reconciler
 * relies on the list being id-descending instead of on arithmetic alone:
 * - the calls that follow the anchor are exactly the rows with a smaller id; a response holding a
 *   row at or above the anchor (the anchor itself, or its predecessor when it was deleted) PROVES
 *   where they start (index `c`, just after the last such row), whatever changed;
 * - a response whose rows are all older than the anchor is accepted only when the totals prove
 *   it starts right after it: it was SERVED after the anchor was seen (its request left once
 *   that response had arrived: `sentAfter` ≥ the sighting's `seq`; arrival order proves nothing
 *   over parallel connections) and the anchor's position then plus the change of
 *   `total_records` puts the anchor at index −1 (exact: calls are inserted only at the head, and
 *   a deletion below the anchor would have left the anchor on this page, which contradicts "all
 *   older"), or the anchor was the last call of the list. Served before or alongside the
 *   sighting, deletions below the anchor in between slide calls over the boundary and
 *   insertions can keep the totals equal: such a page is taken only with equal totals and no
 *   deletion seen so far, provisionally (`quietProofs`, reported `unverified` once deletions
 *   show; the positional path applies the same rule);
 * - otherwise a PROBE reads the boundary in one response: a request with its own `pagesize`
 *   (probe-window.ts) whose window holds the anchor's estimated current position
 *   (`position when seen + total_records now − total then`) and as many rows after it as
 *   possible. A probe that holds the anchor is proven and its successors are passed on; one that
 *   misses moves the aim up (all rows older) or down (all rows newer). Then the page is offered
 *   again and usually overlaps the probe. Probes count as refetches (`maxRefetchesPerGap`); when
 *   they run out the page is accepted with an `unverified` event.
 * Positions (`offsets`) on this path count the calls passed on: a deleted call takes no start
 * offset. Rows of the view found above the anchor but never passed on are reported `unverified`.
 * Anchors without a numeric id keep the arithmetic below.
 *
 * ## Ids out of order (issue 11 item 2)
 * The ordered path is only a fast path. Each response is checked first (id-order.ts
 * {@link showsDisorder}); on the first evidence that ids do not descend the reconciler switches
 * for good to the positional path above (anchor found by id, positions from `total_records`,
 * duplicates dropped by id), with every id comparison off: no call is judged newer, older or
 * deleted by its id. With no drift that path is exact: every call once. With drift it is exact
 * for insertions at the head; what it cannot prove fails loudly with a {@link DriftError}
 * (exit 4) instead of passing on a guess: any deletion evidence (before or after the switch),
 * the anchor missing where the totals put it, a gap the refetches could not close. Deletions are
 * then never inferred from ids, only from `total_records` and where the anchor is found.
 *
 * ## Records without an id
 * `call_log_data` may hold rows without a usable id: `id` missing or null, or not an object at
 * all (`null`, a string, an array, a number). Core never drops or alters them (the transform
 * quarantines them), but they cannot be deduplicated or anchored on. Rules:
 * - the anchor is always the last row passed on WITH an id (`idOf`); `trailing` counts the
 *   id-less rows passed on after it (they sit right below it in the list);
 * - an id-less row is passed on when it lies in the accepted part of a page: after the anchor
 *   and after the `trailing` id-less rows that follow it (those were passed on already);
 * - a page that does not overlap the anchor is proven to follow it only when the totals put the
 *   LAST ROW PASSED ON (anchor + `trailing`) at index −1; otherwise a probe reads the boundary.
 * They still count as calls (start offsets, `passed`, {@link DriftReconciler.finish}). Limits:
 * an id-less row deleted or inserted next to the anchor can shift which ones are skipped (the
 * boundary is then positional, not proven by ids), and a resumed source does not know the
 * id-less rows handed on right after its checkpoint's `lastId`: it may hand them on again.
 *
 * ## Deletions: detection
 * They cannot be located from counts alone, so they are detected as lower bounds, never silently:
 * a negative shift (more deleted than inserted), an anchor found further down than the
 * arithmetic says, and (ordered path) the sum over disjoint arrival intervals of the calls the
 * overlap shows were deleted below the anchor. `deletionsDetected` is the largest of these bounds. Calls deleted before we
 * read them are simply gone; calls deleted after we read them were already passed on. Fewer
 * distinct calls than `T0 − deletionsDetected` at the end is NOT counted as a deletion (nothing
 * proves one): {@link DriftReconciler.finish} reports it as `unverified`, and completeness.ts as
 * `missing` (a page that stayed short, the simulator's 'short' fault, ends up here).
 */
import { anchorPage, gapRefetchPage } from './anchor-tracking.js';
import { idOf } from './call-id.js';
import type { CallLogCheckpoint } from './checkpoint.js';
import { checkOrder, noteDeletions, noteLatest, withdrawQuietProofs } from './drift-evidence.js';
import type { DriftDecision, DriftPage, PageReading } from './drift-page.js';
import { createDriftState, type DriftState } from './drift-state.js';
import type { DriftEvent } from './events.js';
import { numericKey } from './id-order.js';
import { acceptOrdered } from './ordered-path.js';
import { acceptPositional } from './positional-path.js';
import { latestShift } from './probe-window.js';

export type { DriftDecision, DriftPage } from './drift-page.js';

/**
 * The drift reconciler (see the comment block above for the algorithm): a thin object over
 * {@link DriftState} that places each page and hands it to the positional or the ordered path.
 *
 * @example
 * const r = new DriftReconciler(150);
 * const d = r.accept({ page: 1, records, total_records: 1000 });
 * if (d.kind === 'accept') for (const row of d.records) console.log(row.id);
 */
export class DriftReconciler {
  readonly #s: DriftState;

  /** `resume`: continue from a checkpoint (see "Resuming" above). */
  constructor(pageSize: number, resume?: CallLogCheckpoint) {
    this.#s = createDriftState(pageSize, resume);
  }

  get pageSize(): number {
    return this.#s.pageSize;
  }
  get totalAtStart(): number | undefined {
    return this.#s.totalAtStart;
  }
  /** Start offsets [0, covered) passed on. */
  get covered(): number {
    return this.#s.covered;
  }
  get duplicatesDropped(): number {
    return this.#s.duplicatesDropped;
  }
  get insertedSeen(): number {
    return this.#s.insertedSeen;
  }
  get deletionsDetected(): number {
    return this.#s.deletionsDetected;
  }
  get passed(): number {
    return this.#s.passed;
  }
  /** Id of the first row of page 1 at the start (or the checkpoint's). */
  get newestId(): unknown {
    return this.#s.newestId;
  }
  /** Ids were seen out of descending order: positional path only (see "Ids out of order"). */
  get disordered(): boolean {
    return this.#s.disordered;
  }

  /** Latest known shift of the anchor (aims a resumed source's first request; see checkpoint.ts). */
  get latestShift(): number {
    return latestShift(this.#s);
  }

  /**
   * Page that holds the anchor when the list reports `total` (undefined before any row was passed
   * on). Exact under insertions at the head; deletions below the anchor make it a lower bound.
   */
  anchorPage(total: number): number | undefined {
    return anchorPage(this.#s, total);
  }

  /** Page to request to fill a gap in front of the current coverage, given the latest shift. */
  gapRefetchPage(): number {
    return gapRefetchPage(this.#s);
  }

  /**
   * Records a `total_records` as soon as a response arrives (prefetched pages arrive before they
   * are reconciled), so gap refetches aim with the latest shift.
   */
  observeTotal(total: number, seq?: number): void {
    const s = this.#s;
    if (s.totalAtStart !== undefined) s.maxShift = Math.max(s.maxShift, total - s.totalAtStart);
    noteLatest(s, total, seq ?? (s.latest?.seq ?? 0) + 1);
  }

  /**
   * Reconciles a page refetched to close a gap. Refetches then advance page by page from the
   * anchor (proven continuity) until the gap is closed or the caller's budget is spent.
   */
  acceptRefetch(input: DriftPage): DriftDecision {
    const decision = this.accept(input);
    const ownGrid = input.pageSize === undefined || input.pageSize === this.#s.pageSize;
    this.#s.gapCursor = decision.kind === 'accept' && ownGrid ? input.page + 1 : undefined;
    return decision;
  }

  /**
   * Reconciles one page. `force` accepts it even when a gap precedes it (refetch budget spent).
   */
  accept(input: DriftPage, force = false): DriftDecision {
    const s = this.#s;
    const reading = readPage(s, input, force);
    const anchorKey = s.anchor === undefined ? undefined : numericKey(s.anchor.id);
    if (!s.disordered) checkOrder(s, input.records);
    const decision =
      anchorKey !== undefined && !s.disordered
        ? acceptOrdered(s, reading, anchorKey)
        : acceptPositional(s, reading);
    withdrawQuietProofs(s, reading.events, reading.event);
    return decision;
  }

  /**
   * Final check when paging ended on a short or empty page: fewer distinct calls than the list
   * had at the start, beyond the deletions detected, is reported as `unverified` (calls lost
   * without evidence of a deletion, e.g. a page that stayed short). Not counted as deletions.
   */
  finish(lastTotal: number): DriftEvent[] {
    const s = this.#s;
    const t0 = s.totalAtStart ?? 0;
    const missing = t0 - s.deletionsDetected - s.passed;
    const event = (kind: DriftEvent['kind'], count: number, detail: string): DriftEvent => ({
      kind,
      page: 0,
      totalAtStart: t0,
      total_records: lastTotal,
      shift: lastTotal - t0,
      count,
      detail,
    });
    const events: DriftEvent[] = [];
    withdrawQuietProofs(s, events, event);
    if (missing <= 0) return events;
    const counts = `${s.passed} distinct call(s) read of ${t0} at the start, ${s.deletionsDetected} deletion(s) detected`;
    events.push(
      event('unverified', missing, `${counts}: ${missing} call(s) missing without a detected deletion`),
    );
    return events;
  }
}

/**
 * Places a page in the list's coordinates and records what its total says on its own: the view
 * (first page), a short response, insertions and a total below the start.
 */
function readPage(s: DriftState, input: DriftPage, force: boolean): PageReading {
  const { records, page } = input;
  if (s.totalAtStart === undefined) {
    s.totalAtStart = input.total_records;
    // The newest call WITH an id (a first row without one can be neither compared nor found).
    if (page === 1) s.newestId = records.map(idOf).find((id) => id !== undefined);
  }
  const t0 = s.totalAtStart;
  const size = input.pageSize ?? s.pageSize;
  const offset = (page - 1) * size;
  const shift = input.total_records - t0;
  const seq = input.seq ?? s.autoSeq + 1;
  s.autoSeq = Math.max(s.autoSeq, seq);
  // Short (fewer rows than pagesize while total_records says more follow): a call it lacks can
  // turn up later above the anchor, which is then no evidence of disorder (id-order.ts).
  if (records.length < size && offset + records.length < input.total_records) s.shortSeen = true;
  noteLatest(s, input.total_records, seq);
  const events: DriftEvent[] = [];
  const event = (kind: DriftEvent['kind'], count: number, detail: string): DriftEvent => ({
    kind,
    page,
    totalAtStart: t0,
    total_records: input.total_records,
    shift,
    count,
    detail,
  });
  if (shift > s.maxShift) s.maxShift = shift;
  if (shift > s.lastInsertReported) {
    events.push(event('insert', shift - s.lastInsertReported, `${shift} call(s) more than at the start`));
    s.lastInsertReported = shift;
  }
  noteDeletions(s, -shift, events, event, 'total_records fell below its value at the start');
  const sentAfter = input.sentAfter ?? seq - 1;
  return { input, force, offset, size, seq, sentAfter, shift, events, event };
}

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
 * ## Deletions: the ordered path (numeric anchor id)
 * Deletions above a page boundary slide surviving calls up across it, and `total_records` cannot
 * tell them from deletions further down. So, whenever the anchor's id is numeric, the reconciler
 * relies on the list being id-descending instead of on arithmetic alone:
 * - the calls that follow the anchor are exactly the rows with a smaller id; a response holding a
 *   row at or above the anchor (the anchor itself, or its predecessor when it was deleted) PROVES
 *   where they start (index `c`, just after the last such row), whatever changed;
 * - a response whose rows are all older than the anchor is accepted only when the totals prove
 *   it starts right after it: it arrived after the anchor was seen (`seq`) and the anchor's
 *   position then plus the change of `total_records` puts the anchor at index −1 (exact: calls
 *   are inserted only at the head, and a deletion below the anchor would have left the anchor on
 *   this page, which contradicts "all older"), or the anchor was the last call of the list;
 * - otherwise a PROBE reads the boundary in one response: a request with its own `pagesize`
 *   ({@link probeWindow}) whose window holds the anchor's estimated current position
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
import type { CallLog } from './call-log.js';
import type { CallLogCheckpoint } from './checkpoint.js';
import { DriftError } from './errors.js';
import type { DriftEvent } from './events.js';
import { numericKey, showsDisorder } from './id-order.js';

/** One page as the reconciler sees it. */
export interface DriftPage {
  page: number;
  records: CallLog[];
  total_records: number;
  /** `pagesize` the page was requested with (a probe's own size); default: the reconciler's. */
  pageSize?: number;
  /**
   * Arrival order of the response (larger = later), set by the engine. Without it a page counts
   * as the latest response when it is reconciled (unit tests feed pages in arrival order).
   */
  seq?: number;
}

/**
 * What to do with a page: pass `records` on (`offsets[i]` is the start offset of `records[i]`),
 * or first fetch `refetchPage` (with `pagesize` = `pageSize` when set: a boundary probe, see
 * "Deletions") and offer this page again.
 */
export type DriftDecision =
  | { kind: 'accept'; records: CallLog[]; offsets: number[]; events: DriftEvent[] }
  | { kind: 'refetch'; refetchPage: number; pageSize?: number; events: DriftEvent[] };

/** Largest `pagesize` the API accepts (NOTES.md "Endpoints"); probes use up to this. */
const PROBE_MAX_SIZE = 150;
/** Rows a probe keeps above the anchor's estimated position (deletions below it skew the aim). */
const PROBE_MARGIN = 16;

/**
 * The request that reads the list around current offset `aim` in ONE response: a `pagesize`
 * (half of {@link PROBE_MAX_SIZE} up to it) and `pageno` whose window `[(pageno − 1)·size,
 * pageno·size)` holds `aim` with up to 16 rows above it and as many rows below it as possible.
 * A different page size is what lets one response straddle a boundary of the export's page grid.
 *
 * @example
 * probeWindow(299); // { page: 3, pageSize: 141 }: offsets 282..422
 */
export function probeWindow(aim: number, maxSize = PROBE_MAX_SIZE): { page: number; pageSize: number } {
  const target = Math.max(0, aim);
  const above = Math.min(target, PROBE_MARGIN);
  let best = { page: 1, pageSize: maxSize, below: -1 };
  for (let size = maxSize; size >= Math.max(1, Math.ceil(maxSize / 2)); size -= 1) {
    const index = Math.floor((target - above) / size);
    const below = (index + 1) * size - 1 - target;
    if (below > best.below) best = { page: index + 1, pageSize: size, below };
  }
  return { page: best.page, pageSize: best.pageSize };
}

/**
 * The identity of a row of `call_log_data`: its `id` when the row is an object whose id is a
 * number or a string; undefined for anything else (no id, `id: null`, a non-object row).
 *
 * @example
 * idOf({ id: 7 }); // 7
 * idOf(null); // undefined
 */
export function idOf(row: unknown): number | string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return undefined;
  const id = (row as { id?: unknown }).id;
  return typeof id === 'number' || typeof id === 'string' ? id : undefined;
}

/** Where the anchor was last seen: current offset, with the `total_records` and arrival of that response. */
interface AnchorSighting {
  pos: number;
  total: number;
  seq: number;
  /** False when seen on a short page (a row missing above it makes `pos` one too small). */
  exact: boolean;
}

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
  /** The last row passed on that has an id (`idOf`); see "Records without an id". */
  private anchor: { id: unknown } | undefined;
  /** Id-less rows passed on after the anchor (after the start when there is no anchor yet). */
  private trailing = 0;
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
  /** Ordered path: where the anchor was last seen (undefined for a resumed reconciler until found). */
  private sighting: AnchorSighting | undefined;
  /** Ordered path: aim of the next probe after a probe that missed the anchor (current offsets). */
  private probeAim: { pos: number; total: number } | undefined;
  /** Latest response seen (largest `seq`): its total aims probes. */
  private latest: { seq: number; total: number } | undefined;
  private autoSeq = 0;
  /** A response reported fewer calls than an earlier one: the list is losing calls. */
  private deletionSeen = false;
  /** Deletions below the anchor proven by overlaps, summed over disjoint intervals of arrival. */
  private deletionsBelow = 0;
  private countedSeq = Number.NEGATIVE_INFINITY;
  /** Ids were seen out of descending order: positional path only (see "Ids out of order"). */
  disordered = false;
  /** A response came back short: calls it lacked may turn up later above the anchor. */
  private shortSeen = false;

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
  observeTotal(total: number, seq?: number): void {
    if (this.totalAtStart !== undefined) this.maxShift = Math.max(this.maxShift, total - this.totalAtStart);
    this.noteLatest(total, seq ?? (this.latest?.seq ?? 0) + 1);
  }

  private noteLatest(total: number, seq: number): void {
    if (this.latest !== undefined && seq < this.latest.seq) return;
    if (this.latest !== undefined && total < this.latest.total) this.deletionSeen = true;
    this.latest = { seq, total };
  }

  /**
   * Reconciles a page refetched to close a gap. Refetches then advance page by page from the
   * anchor (proven continuity) until the gap is closed or the caller's budget is spent.
   */
  acceptRefetch(input: DriftPage): DriftDecision {
    const decision = this.accept(input);
    const ownGrid = input.pageSize === undefined || input.pageSize === this.pageSize;
    this.gapCursor = decision.kind === 'accept' && ownGrid ? input.page + 1 : undefined;
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
      // The newest call WITH an id (a first row without one can be neither compared nor found).
      if (page === 1) this.newestId = records.map(idOf).find((id) => id !== undefined);
    }
    const t0 = this.totalAtStart;
    const size = input.pageSize ?? this.pageSize;
    const offset = (page - 1) * size;
    const shift = input.total_records - t0;
    const seq = input.seq ?? this.autoSeq + 1;
    this.autoSeq = Math.max(this.autoSeq, seq);
    // Short (fewer rows than pagesize while total_records says more follow): a call it lacks can
    // turn up later above the anchor, which is then no evidence of disorder (id-order.ts).
    if (records.length < size && offset + records.length < input.total_records) this.shortSeen = true;
    this.noteLatest(input.total_records, seq);
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

    const anchorKey = this.anchor === undefined ? undefined : numericKey(this.anchor.id);
    if (!this.disordered) this.checkOrder(records);
    if (anchorKey !== undefined && !this.disordered) {
      return this.acceptOrdered(input, force, anchorKey, { offset, size, seq, shift }, events, event);
    }
    let startIndex: number;
    let pageShift = shift;
    let olderThan: number | undefined;
    // Id-less rows before this index were passed on already (positional: they have no identity).
    let idlessFrom = 0;
    const anchorId = this.anchor?.id;
    const anchorIndex = anchorId === undefined ? -1 : records.findIndex((r) => idOf(r) === anchorId);
    if (this.anchor === undefined && this.covered === 0) {
      startIndex = 0;
    } else if (anchorIndex >= 0) {
      // The id-less rows passed on after the anchor follow it: skip them.
      startIndex = anchorIndex + 1 + this.idlessRun(records, anchorIndex + 1);
      pageShift = offset + anchorIndex - (this.covered - 1 - this.trailing);
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
        if (this.disordered)
          this.cannotReconcile(`a gap before page ${page} could not be closed by refetching`);
        events.push(event('unverified', -1 - j, 'gap could not be closed by refetching; continuing'));
        startIndex = 0;
      } else if (j === -1) {
        startIndex = 0;
      } else if (j >= records.length) {
        startIndex = records.length;
      } else if (this.anchor === undefined) {
        // Only id-less rows were passed on so far: the totals are all that places them.
        startIndex = j + 1;
      } else {
        // The anchor should be on this page but is not: it was deleted, or rows moved in a way
        // the totals do not explain. Keep every unseen row older than the anchor.
        if (this.disordered) this.cannotReconcile(`the last call read is missing from page ${page}`);
        events.push(event('unverified', 0, `the last call read is missing from page ${page}`));
        startIndex = 0;
        idlessFrom = j + 1;
        olderThan = typeof this.anchor.id === 'number' ? this.anchor.id : undefined;
      }
    }

    const out: CallLog[] = [];
    const offsets: number[] = [];
    // Out of order, ids say nothing about age: rows are placed by position only.
    const newest = typeof this.newestId === 'number' && !this.disordered ? this.newestId : undefined;
    const floorId = this.disordered ? undefined : this.floorId;
    let lastKeyed = -1;
    for (let i = 0; i < records.length; i += 1) {
      const row = records[i] as CallLog;
      const id = idOf(row);
      if (id === undefined) {
        if (i >= startIndex && i >= idlessFrom) {
          out.push(row);
          offsets.push(offset - pageShift + i);
        }
        continue;
      }
      const known = this.seen.has(id);
      const numeric = typeof id === 'number';
      const afterView = numeric && newest !== undefined && id > newest;
      const tooNew =
        afterView ||
        (numeric && olderThan !== undefined && id > olderThan) ||
        (numeric && floorId !== undefined && id >= floorId);
      if (i < startIndex || tooNew) {
        // Resumed: a row of the view above the anchor was handed on by the earlier run.
        const before = !afterView && numeric && floorId !== undefined && id >= floorId;
        if (known || before) this.duplicatesDropped += 1;
        else this.insertedSeen += 1;
        continue;
      }
      if (known) {
        this.duplicatesDropped += 1;
        continue;
      }
      this.seen.add(id);
      out.push(row);
      offsets.push(offset - pageShift + i);
      lastKeyed = i;
    }
    if (out.length > 0) {
      this.covered = Math.max(this.covered, offset - pageShift + records.length);
      this.passed += out.length;
      if (lastKeyed >= 0) {
        this.anchor = { id: idOf(records[lastKeyed]) };
        this.trailing = out.length - 1 - out.indexOf(records[lastKeyed] as CallLog);
        const exact = records.length === size || offset + records.length >= input.total_records;
        this.sighting = { pos: offset + lastKeyed, total: input.total_records, seq, exact };
      } else {
        this.trailing += out.length;
      }
    }
    return { kind: 'accept', records: out, offsets, events };
  }

  /**
   * The ordered path (numeric anchor id): see "Deletions" above. The list is id-descending, so
   * the calls that follow the anchor are exactly the rows with a smaller id; a page holding a row
   * at or above the anchor proves where they start, whatever was inserted or deleted.
   */
  private acceptOrdered(
    input: DriftPage,
    force: boolean,
    anchorKey: number,
    at: { offset: number; size: number; seq: number; shift: number },
    events: DriftEvent[],
    event: (kind: DriftEvent['kind'], count: number, detail: string) => DriftEvent,
  ): DriftDecision {
    const { records, page } = input;
    const total = input.total_records;
    const { offset, size, seq } = at;
    // A short page (fetch-page.ts: rows missing while total_records says more exist) places its
    // rows too high by the rows it lacks above them: its positions are not evidence of deletions.
    const exact = records.length === size || offset + records.length >= total;
    // c: index of the first row after the last row at or above the anchor (0: none on the page).
    let c = 0;
    let anchorAt = -1;
    for (let i = 0; i < records.length; i += 1) {
      const id = idOf(records[i]);
      const key = numericKey(id);
      if (key !== undefined && key >= anchorKey) c = i + 1;
      if (id !== undefined && id === this.anchor?.id) anchorAt = i;
    }
    // Where id-less rows may be passed on from. After the anchor (or the row at or above it
    // closest to it), skip the id-less rows passed on after it. When the anchor is not on the page
    // and no row with an id below it is either, the whole page may lie above the anchor: an
    // id-less row after the last row at or above it is then not proven to be below it.
    const olderOnPage = records.slice(c).some((r) => idOf(r) !== undefined);
    const resumeAt =
      c === 0 ? 0 : anchorAt < 0 && !olderOnPage ? records.length : c + this.idlessRun(records, c);
    const seen = this.sighting;
    // Expected index of the anchor on this page from the totals (exact under head insertions).
    const j =
      seen !== undefined
        ? seen.pos + (total - seen.total) - offset
        : this.covered - 1 - offset + at.shift + this.correction;
    if (c > 0) {
      // Overlap: the successors of the anchor in this response start at c (proven).
      const full = c < records.length || records.length < size;
      if (seen?.exact && exact && full && seq > seen.seq && seen.seq >= this.countedSeq) {
        // Forward in time, the anchor's successor moved down by insertions minus deletions
        // above it; the totals also count deletions below it: the difference is those.
        const below = c - 1 - j;
        this.countedSeq = seq;
        if (below > 0) {
          this.deletionsBelow += below;
          this.noteDeletions(
            Math.max(this.deletionsBelow, this.deletionsFromAnchors),
            events,
            event,
            'rows below the last call read disappeared',
          );
        }
      }
      if (c === records.length && records.length === size) {
        // Every row is at or above the anchor: it is further down now.
        this.probeAim = { pos: offset + records.length, total };
        if (anchorAt >= 0 && (seen === undefined || seq > seen.seq)) {
          this.sighting = { pos: offset + anchorAt, total, seq, exact };
        }
      }
    } else {
      // The last row passed on: the anchor, or the id-less rows after it (j + trailing).
      const anchorLast = seen !== undefined && seen.pos + this.trailing + 1 >= seen.total;
      const fresh = seen !== undefined && (seq > seen.seq || !this.deletionSeen);
      const lastPassed = seen !== undefined ? j + this.trailing : j;
      const proven =
        anchorLast ||
        (records.length > 0 && lastPassed === -1 && (seen === undefined || fresh)) ||
        (seen === undefined && records.length === 0);
      if (!proven && !force) {
        // This response starts after the anchor, but nothing proves that no call sat between
        // them (deletions above the boundary slide calls up across it): read the boundary itself
        // in one response, a probe with its own page size, then offer this page again.
        if (input.pageSize !== undefined && input.pageSize !== this.pageSize) {
          // A probe that missed: the anchor is above its window.
          this.probeAim = { pos: offset - Math.ceil(size / 2), total };
        }
        events.push(
          event(
            'gap',
            Math.max(0, -1 - j),
            `page ${page} does not overlap the last call read; reading the boundary again`,
          ),
        );
        const aim = this.probeTarget();
        const window = probeWindow(aim);
        return { kind: 'refetch', refetchPage: window.page, pageSize: window.pageSize, events };
      }
      if (!proven) {
        events.push(event('unverified', 0, `continuity before page ${page} could not be proven; continuing`));
      }
    }

    const out: CallLog[] = [];
    const offsets: number[] = [];
    const newest = numericKey(this.newestId);
    let late = 0;
    let lastKeyed = -1;
    for (let i = 0; i < records.length; i += 1) {
      const row = records[i] as CallLog;
      const id = idOf(row);
      if (id === undefined) {
        // No identity: passed on by position only (see "Records without an id").
        if (i >= resumeAt) {
          out.push(row);
          offsets.push(this.covered + out.length - 1);
        } else this.duplicatesDropped += 1;
        continue;
      }
      const key = numericKey(id);
      const known = this.seen.has(id);
      if (known) {
        this.duplicatesDropped += 1;
        continue;
      }
      if (i < c || (key !== undefined && key >= anchorKey)) {
        const afterView = key !== undefined && newest !== undefined && key > newest;
        const before = !afterView && key !== undefined && this.floorId !== undefined && key >= this.floorId;
        if (afterView) this.insertedSeen += 1;
        else if (before) this.duplicatesDropped += 1;
        else if (key !== undefined) late += 1;
        else this.duplicatesDropped += 1;
        continue;
      }
      this.seen.add(id);
      out.push(row);
      offsets.push(this.covered + out.length - 1);
      lastKeyed = out.length - 1;
    }
    if (late > 0) {
      // A call of the view above the last call read that was never passed on: it was skipped
      // at a boundary that could not be proven. Too late to pass it on (order); never silent.
      events.push(event('unverified', late, `${late} call(s) of the view found above the last call read`));
    }
    if (out.length > 0 && lastKeyed < 0) {
      // Only id-less rows: the anchor and its sighting stay; they follow it.
      this.covered += out.length;
      this.passed += out.length;
      this.trailing += out.length;
    } else if (out.length > 0) {
      const anchorRow = out[lastKeyed] as CallLog;
      this.anchor = { id: idOf(anchorRow) };
      this.trailing = out.length - 1 - lastKeyed;
      this.covered += out.length;
      this.passed += out.length;
      const pos = offset + records.indexOf(anchorRow);
      this.sighting = { pos, total, seq, exact };
      this.probeAim = undefined;
    } else if (c > 0 && anchorAt >= 0 && (seen === undefined || seq > seen.seq)) {
      this.sighting = { pos: offset + anchorAt, total, seq, exact };
    }
    return { kind: 'accept', records: out, offsets, events };
  }

  /**
   * Id-less rows at `records[from…]` that are the ones passed on right after the anchor: the run
   * of consecutive id-less rows starting there, at most `trailing` long.
   */
  private idlessRun(records: readonly unknown[], from: number): number {
    let n = 0;
    while (n < this.trailing && from + n < records.length && idOf(records[from + n]) === undefined) n += 1;
    return n;
  }

  /** Current offset to aim the next probe at: the anchor's estimated position now. */
  private probeTarget(): number {
    const latest = this.latest?.total ?? this.totalAtStart ?? 0;
    if (this.probeAim !== undefined) return this.probeAim.pos + latest - this.probeAim.total;
    if (this.sighting !== undefined) return this.sighting.pos + latest - this.sighting.total;
    return this.covered - 1 + this.latestShift;
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

  /**
   * Switches to the positional path when this response shows ids out of order (see "Ids out of
   * order"); deletions seen before cannot be placed without the order: that fails loudly.
   */
  private checkOrder(records: readonly unknown[]): void {
    const disorder = showsDisorder(records, {
      anchorKey: this.anchor === undefined ? undefined : numericKey(this.anchor.id),
      newestKey: numericKey(this.newestId),
      floorKey: this.floorId,
      seen: this.seen,
      rowsMaySlip: this.deletionsDetected > 0 || this.deletionSeen || this.shortSeen,
    });
    if (!disorder) return;
    this.disordered = true;
    if (this.deletionsDetected > 0 || this.deletionSeen) {
      this.cannotReconcile('calls were deleted during the export');
    }
  }

  private cannotReconcile(detail: string): never {
    throw new DriftError(
      `call ids are not in descending order and ${detail}: which calls were skipped cannot be proven; nothing is committed, run the export again`,
    );
  }

  private noteDeletions(
    bound: number,
    events: DriftEvent[],
    event: (kind: DriftEvent['kind'], count: number, detail: string) => DriftEvent,
    detail: string,
  ): void {
    if (bound > this.deletionsDetected && this.disordered) this.cannotReconcile(detail);
    if (bound > this.deletionsDetected) {
      events.push(event('deletion', bound - this.deletionsDetected, detail));
      this.deletionsDetected = bound;
    }
  }
}

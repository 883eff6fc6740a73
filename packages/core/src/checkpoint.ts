/**
 * Resumable checkpoints: a fixed view of the list and a position in it (issue 6, "Crash resume").
 *
 * ## The view
 * A source promises the calls that were in the list when it started: `totalAtStart` calls, the
 * newest being `newestId` (docs/api-notes.md: the list is newest first, id descending). Calls that arrive
 * later sit above `newestId`; they belong to the next run, never to this view.
 *
 * ## The position
 * `emitted` calls of that view were handed on, in order, the last one being `lastId`; `position`
 * is the start offset just after it (it differs from `emitted` when calls were deleted or a page
 * came back short). A checkpoint is plain JSON: store it with the data it describes, and pass it
 * back as the `resume` option to continue. See run-pages.ts for how a resumed source re-anchors.
 */

import { idOf } from './call-id.js';
import type { CallLog, CallLogFilters } from './call-log.js';
import { InvalidOptionError } from './errors.js';

/** Format version of {@link CallLogCheckpoint}; a resumed source refuses any other. */
export const CHECKPOINT_VERSION = 1;

/** A serialisable position in a source's fixed view of the list; see checkpoint.ts. */
export interface CallLogCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  /** `pageSize` of the source: a resumed source must use the same (offsets are in pages). */
  pageSize: number;
  /** {@link filtersFingerprint} of the source's filters: a resumed source must use the same. */
  filters: string;
  /** `total_records` when the view was fixed (first page of the first run). */
  totalAtStart: number;
  /** Id of the newest call in the view (first row of page 1 at the start); null for an empty list. */
  newestId: number | string | null;
  /** Calls of the view handed on so far, over all runs, in order. */
  emitted: number;
  /** Id of the last call handed on; null when `emitted` is 0. */
  lastId: number | string | null;
  /** Start offset just after `lastId` (calls of the view above it: handed on, deleted or lost). */
  position: number;
  /**
   * Latest known shift of the list (`total_records − totalAtStart`, corrected by the anchor):
   * only aims the resumed source's first request; correctness never depends on it.
   */
  shift: number;
  /** Deletions detected so far (lower bound), carried into the completeness check. */
  deletionsDetected: number;
}

/**
 * Canonical text of a filter set, as the API receives it (`agentid=…&bulk_call_id=…&call_status=…`,
 * keys sorted; `''` for none). Two sources with the same fingerprint read the same list.
 *
 * @example
 * filtersFingerprint({ callStatus: 'completed', agentId: 7 }); // 'agentid=7&call_status=completed'
 */
export function filtersFingerprint(filters: CallLogFilters): string {
  const pairs: [string, string][] = [];
  if (filters.agentId !== undefined) pairs.push(['agentid', String(filters.agentId)]);
  if (filters.bulkCallId !== undefined) pairs.push(['bulk_call_id', String(filters.bulkCallId)]);
  if (filters.callStatus !== undefined) pairs.push(['call_status', filters.callStatus]);
  pairs.sort(([a], [b]) => (a < b ? -1 : 1));
  return new URLSearchParams(pairs).toString();
}

const CHECKPOINT_KEYS = [
  'version',
  'pageSize',
  'filters',
  'totalAtStart',
  'newestId',
  'emitted',
  'lastId',
  'position',
  'shift',
  'deletionsDetected',
] as const;

/**
 * Validates a checkpoint passed as `resume` against the source's own `pageSize` and filters.
 * Throws {@link InvalidOptionError} naming `resume.<field>`; used by `resolveOptions`, so a bad
 * checkpoint fails before any request.
 *
 * @example
 * validateCheckpoint(JSON.parse(saved), { pageSize: 150, filters: {} }); // the checkpoint, typed
 */
export function validateCheckpoint(
  value: unknown,
  source: { pageSize: number; filters: CallLogFilters },
): CallLogCheckpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError('resume', 'a checkpoint object (see CallLogCheckpoint)', value);
  }
  const c = value as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!(CHECKPOINT_KEYS as readonly string[]).includes(key)) {
      throw new InvalidOptionError(`resume.${key}`, 'a checkpoint field (no such field)', '(set)');
    }
  }
  if (c['version'] !== CHECKPOINT_VERSION) {
    throw new InvalidOptionError('resume.version', String(CHECKPOINT_VERSION), c['version']);
  }
  const count = (name: string): number => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new InvalidOptionError(`resume.${name}`, 'a non-negative integer', v);
    }
    return v;
  };
  const id = (name: string, nullable: boolean): number | string | null => {
    const v = c[name];
    if (typeof v === 'number' || typeof v === 'string' || (nullable && v === null)) return v;
    throw new InvalidOptionError(`resume.${name}`, nullable ? 'a call id or null' : 'a call id', v);
  };
  // A different page size or filter set is a different list: the offsets would point elsewhere.
  if (c['pageSize'] !== source.pageSize) {
    throw new InvalidOptionError(
      'resume.pageSize',
      `${source.pageSize} (this source's pageSize)`,
      c['pageSize'],
    );
  }
  const fingerprint = filtersFingerprint(source.filters);
  if (c['filters'] !== fingerprint) {
    throw new InvalidOptionError(
      'resume.filters',
      `${JSON.stringify(fingerprint)} (this source's filters)`,
      c['filters'],
    );
  }
  const totalAtStart = count('totalAtStart');
  const emitted = count('emitted');
  if (emitted > totalAtStart) {
    throw new InvalidOptionError('resume.emitted', `at most totalAtStart (${totalAtStart})`, emitted);
  }
  const shift = c['shift'];
  if (typeof shift !== 'number' || !Number.isSafeInteger(shift)) {
    throw new InvalidOptionError('resume.shift', 'an integer', shift);
  }
  const lastId = id('lastId', emitted === 0);
  return {
    version: CHECKPOINT_VERSION,
    pageSize: source.pageSize,
    filters: fingerprint,
    totalAtStart,
    newestId: id('newestId', true),
    emitted,
    lastId: emitted === 0 ? null : lastId,
    position: count('position'),
    shift,
    deletionsDetected: count('deletionsDetected'),
  };
}

/**
 * Follows what a source has handed on and builds its checkpoint. Internal to the source; the
 * paging entry points expose {@link CheckpointTracker.current} as their `checkpoint` getter.
 */
export class CheckpointTracker {
  readonly #pageSize: number;
  readonly #filters: string;
  #view: { totalAtStart: number; newestId: number | string | null } | undefined;
  #emitted = 0;
  #lastId: number | string | null = null;
  #position = 0;
  #shift = 0;
  readonly #deletions: () => number;

  constructor(
    pageSize: number,
    filters: CallLogFilters,
    deletions: () => number,
    resume?: CallLogCheckpoint,
  ) {
    this.#pageSize = pageSize;
    this.#filters = filtersFingerprint(filters);
    this.#deletions = deletions;
    if (resume) {
      this.#view = { totalAtStart: resume.totalAtStart, newestId: resume.newestId };
      this.#emitted = resume.emitted;
      this.#lastId = resume.lastId;
      this.#position = resume.position;
      this.#shift = resume.shift;
    }
  }

  /** Fixes the view (first page of a fresh source). */
  fixView(totalAtStart: number, newestId: unknown): void {
    if (this.#view !== undefined) return;
    const id = typeof newestId === 'number' || typeof newestId === 'string' ? newestId : null;
    this.#view = { totalAtStart, newestId: id };
  }

  /** One record handed on; `offset` is its start offset, `shift` the list's latest known shift. */
  handOn(record: CallLog, offset: number, shift: number): void {
    this.#emitted += 1;
    // A row without an id (or not an object at all) keeps the last id: it cannot be re-anchored on.
    this.#lastId = idOf(record) ?? this.#lastId;
    this.#position = offset + 1;
    this.#shift = shift;
  }

  /** Start offset just after the last record handed on. */
  get position(): number {
    return this.#position;
  }

  /** The checkpoint of everything handed on so far (undefined before the view is fixed). */
  current(): CallLogCheckpoint | undefined {
    if (this.#view === undefined) return undefined;
    return {
      version: CHECKPOINT_VERSION,
      pageSize: this.#pageSize,
      filters: this.#filters,
      totalAtStart: this.#view.totalAtStart,
      newestId: this.#view.newestId,
      emitted: this.#emitted,
      lastId: this.#emitted === 0 ? null : this.#lastId,
      position: this.#position,
      shift: this.#shift,
      deletionsDetected: this.#deletions(),
    };
  }
}

/**
 * Everything the drift reconciler (drift.ts) remembers between pages, as one plain object that
 * the path functions (positional-path.ts, ordered-path.ts) read and update. Field meanings refer
 * to the sections of the comment block in drift.ts.
 */
import type { CallLogCheckpoint } from './checkpoint.js';
import { IdSet } from './id-set.js';

/** Where the anchor was last seen: current offset, with the `total_records` and arrival of that response. */
export interface AnchorSighting {
  pos: number;
  total: number;
  seq: number;
  /** False when seen on a short page (a row missing above it makes `pos` one too small). */
  exact: boolean;
}

/** The reconciler's memory (drift.ts). */
export interface DriftState {
  readonly pageSize: number;
  totalAtStart: number | undefined;
  /** Start offsets [0, covered) passed on. */
  covered: number;
  duplicatesDropped: number;
  insertedSeen: number;
  deletionsDetected: number;
  passed: number;
  /** Id of the first row of page 1 at the start (or the checkpoint's). */
  newestId: unknown;
  /** The last row passed on that has an id (`idOf`); see "Records without an id". */
  anchor: { id: unknown } | undefined;
  /** Id-less rows passed on after the anchor (after the start when there is no anchor yet). */
  trailing: number;
  /** Every id passed on (compact: id-set.ts). */
  readonly seen: IdSet;
  maxShift: number;
  /** Resumed: rows with a numeric id at or above this were handed on before (or are newer). */
  readonly floorId: number | undefined;
  /** Deletions below the anchor proven by finding it further down than `total_records` implies. */
  correction: number;
  /** Next page to refetch while closing a gap (sequential advance from the anchor). */
  gapCursor: number | undefined;
  lastInsertReported: number;
  deletionsFromAnchors: number;
  /** Ordered path: where the anchor was last seen (undefined for a resumed reconciler until found). */
  sighting: AnchorSighting | undefined;
  /** Ordered path: aim of the next probe after a probe that missed the anchor (current offsets). */
  probeAim: { pos: number; total: number } | undefined;
  /** Latest response seen (largest `seq`): its total aims probes. */
  latest: { seq: number; total: number } | undefined;
  autoSeq: number;
  /** A response reported fewer calls than an earlier one: the list is losing calls. */
  deletionSeen: boolean;
  /** Deletions below the anchor proven by overlaps, summed over disjoint intervals of arrival. */
  deletionsBelow: number;
  countedSeq: number;
  /** Ids were seen out of descending order: positional path only (see "Ids out of order"). */
  disordered: boolean;
  /** A response came back short: calls it lacked may turn up later above the anchor. */
  shortSeen: boolean;
  /**
   * Boundaries accepted from equal totals with no sign of deletion, though the page was not
   * served after the anchor's sighting (ordered-boundary.ts): withdrawn (reported `unverified`)
   * once deletions show (drift-evidence.ts withdrawQuietProofs).
   */
  quietProofs: number;
}

/** A fresh state, or one that continues from a checkpoint (drift.ts "Resuming"). */
export function createDriftState(pageSize: number, resume?: CallLogCheckpoint): DriftState {
  const state: DriftState = {
    pageSize,
    totalAtStart: undefined,
    covered: 0,
    duplicatesDropped: 0,
    insertedSeen: 0,
    deletionsDetected: 0,
    passed: 0,
    newestId: undefined,
    anchor: undefined,
    trailing: 0,
    seen: new IdSet(),
    maxShift: 0,
    floorId: typeof resume?.lastId === 'number' ? resume.lastId : undefined,
    correction: 0,
    gapCursor: undefined,
    lastInsertReported: 0,
    deletionsFromAnchors: 0,
    sighting: undefined,
    probeAim: undefined,
    latest: undefined,
    autoSeq: 0,
    deletionSeen: false,
    deletionsBelow: 0,
    countedSeq: Number.NEGATIVE_INFINITY,
    disordered: false,
    shortSeen: false,
    quietProofs: 0,
  };
  if (resume) {
    state.totalAtStart = resume.totalAtStart;
    state.newestId = resume.newestId;
    state.covered = resume.position;
    state.passed = resume.emitted;
    state.deletionsDetected = resume.deletionsDetected;
    if (resume.lastId !== null) state.anchor = { id: resume.lastId };
    // The shift now is unknown until the first response: let observeTotal() set it.
    state.maxShift = Number.NEGATIVE_INFINITY;
  }
  return state;
}

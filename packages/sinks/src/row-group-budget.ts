/**
 * One bound on the row values that Parquet writers hold between row groups, shared by every
 * writer of a run in one thread (issue 21, memory). A Parquet writer buffers a whole row group
 * as JS values before hyparquet-writer encodes it; with one open file per table that was up to
 * `rowGroupBytes` per table, and at the month grain those buffers live for seconds, so V8
 * promotes them to old space and sizes its heap from them (measured: live heap 46–79 MB at the
 * buffering peaks, heap used 290 MB, peak RSS 414–454 MB for 20k calls). With a budget the sum
 * of the buffers stays under one figure however many tables (or rewrites) are open: when a
 * write takes the total over it, the writer holding the most is flushed as a row group.
 *
 * Each thread builds its own budget (a worker thread gets one with its writer factory), so the
 * bound holds per thread: the process holds at most threads × budget of buffered values.
 */
import { positiveInteger } from './option-checks.js';

/** A writer whose buffered rows count against a {@link RowGroupBudget}. */
export interface RowGroupBuffer {
  /** Bytes of row values it buffers now (0 right after a row group is written). */
  readonly bufferedBytes: number;
  /** Writes what it buffers as one row group (synchronously), releasing its bytes. */
  flushRowGroup(): void;
}

/**
 * The shared bound (see the module comment).
 *
 * @example
 * const budget = new RowGroupBudget(8 * 1024 * 1024);
 * createParquetWriter({ schema: CALLS_SCHEMA, destination: 'calls.parquet', rowGroupBudget: budget });
 */
export class RowGroupBudget {
  readonly limit: number;
  readonly #members = new Set<RowGroupBuffer>();
  #used = 0;
  #peak = 0;

  constructor(limit: number) {
    this.limit = positiveInteger('rowGroupBudget', limit);
  }

  /** Bytes buffered now by all members. */
  get used(): number {
    return this.#used;
  }

  /** The most ever buffered at once after {@link enforce} returned (what tests check). */
  get peak(): number {
    return this.#peak;
  }

  join(member: RowGroupBuffer): void {
    this.#members.add(member);
  }

  /** Removes a member (finished or destroyed) and releases what it still counted. */
  leave(member: RowGroupBuffer): void {
    if (this.#members.delete(member)) this.#used -= member.bufferedBytes;
  }

  /** Counts `bytes` more (positive: values buffered; negative: a row group written). */
  add(bytes: number): void {
    this.#used += bytes;
  }

  /**
   * While the members hold more than the limit, flushes the one holding the most: the largest
   * table keeps the largest row groups, and a small table is not flushed because a large one
   * filled the budget.
   */
  enforce(): void {
    while (this.#used > this.limit) {
      let largest: RowGroupBuffer | undefined;
      for (const member of this.#members) {
        if (member.bufferedBytes > (largest?.bufferedBytes ?? 0)) largest = member;
      }
      if (largest === undefined) break;
      largest.flushRowGroup();
    }
    if (this.#used > this.#peak) this.#peak = this.#used;
  }
}

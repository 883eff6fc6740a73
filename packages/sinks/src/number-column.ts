/**
 * The buffered values of one numeric Parquet column (float64, int64, timestamp millis, date
 * days) in a growing Float64Array outside the JS heap until the row group is written (issue 21,
 * CPU per call). Held as JS values for a whole row group, every double was a HeapNumber and
 * every int64 a BigInt that the scavenger copied twice (into the survivor space, then into old
 * space) and full collections marked again; here a value is 8 bytes of one buffer, and the
 * values hyparquet-writer takes are made when the row group is written and die young.
 *
 * NaN stands for null: no column holds NaN (`checkValue` refuses non-finite numbers, int64 is a
 * safe integer, a Date or a calendar date is checked valid), and every safe integer is exact in
 * a double.
 */

/** First capacity, in values; it doubles from there. */
const INITIAL_VALUES = 64;

/**
 * One column's values. `push` returns the bytes the column grew by in memory, which the writer
 * counts against its row-group bounds.
 *
 * @example
 * const column = new NumberColumn();
 * column.push(42);
 * column.push(null);
 * column.take(true); // [42n, null]
 */
export class NumberColumn {
  #values: Float64Array | undefined;
  #length = 0;

  /** Appends a value (null as NaN); returns the bytes of memory that took (0 when there was room). */
  /**
   * True when a -0 was pushed since the last take: hyparquet-writer's dictionary is a Map, whose
   * keys equate -0 and 0, so a dictionary-encoded chunk would read every 0 back as the first of
   * them seen (the review of 2026-12-01); the writer writes such a chunk PLAIN.
   */
  get hasNegativeZero(): boolean {
    return this.#negativeZero;
  }

  #negativeZero = false;

  push(value: number | null): number {
    if (value === 0 && Object.is(value, -0)) this.#negativeZero = true;
    let grown = 0;
    if (this.#values === undefined || this.#length === this.#values.length) grown = this.#grow();
    this.#values![this.#length++] = value === null ? Number.NaN : value;
    return grown;
  }

  /**
   * The values as hyparquet-writer takes them (BigInts for `bigint`, else numbers; null stays
   * null), in push order; the column starts empty again and drops its buffer.
   */
  take(bigint: boolean): (number | bigint | null)[] {
    const values = this.#values;
    const out: (number | bigint | null)[] = new Array(this.#length);
    for (let i = 0; i < this.#length; i++) {
      const value = values![i]!;
      if (Number.isNaN(value)) out[i] = null;
      else out[i] = bigint ? BigInt(value) : value;
    }
    this.#values = undefined;
    this.#length = 0;
    this.#negativeZero = false;
    return out;
  }

  /** Doubles the buffer (or makes the first); returns the bytes added. */
  #grow(): number {
    const old = this.#values;
    const next = new Float64Array(old === undefined ? INITIAL_VALUES : old.length * 2);
    if (old !== undefined) next.set(old);
    this.#values = next;
    return next.byteLength - (old?.byteLength ?? 0);
  }
}

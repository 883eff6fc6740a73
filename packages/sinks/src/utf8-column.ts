/**
 * The buffered values of one long-text Parquet column (a transcript, a signed link, a webhook
 * payload), kept as UTF-8 bytes in one growing buffer outside the JS heap instead of as the
 * strings themselves until the row group is written (issue 21, CPU per call). A string held for
 * a whole row group outlives two scavenges, so V8 copied it twice (into the survivor space, then
 * into old space) and marked it again in full collections; hyparquet-writer then encoded it once
 * more (`TextEncoder.encode`, one new ArrayBuffer per value). Here the string is written once
 * (`Buffer.write`, no allocation) and dies young; the row group gets views into the buffer.
 *
 * Only for columns the writer takes as they are: PLAIN (no dictionary built from the values) and
 * without statistics (parquet-column-options.ts), so no reader of the views compares them.
 */

/** First capacity of a column's buffer; it doubles from there. */
const INITIAL_BYTES = 4 * 1024;
/** UTF-8 bytes one UTF-16 code unit can take at most (a lone surrogate: U+FFFD, 3 bytes). */
const MAX_BYTES_PER_UNIT = 3;
/** Slot of a value: its end offset (a Float64Array entry). */
const SLOT_BYTES = 8;

/**
 * One column's UTF-8 bytes and value ends. `push` returns the bytes the column grew by in memory
 * (buffer growth plus the slot), which the writer counts against its row-group bounds.
 *
 * @example
 * const column = new Utf8Column();
 * column.push('Bot: hello');
 * column.push(null);
 * column.take(); // [Uint8Array(10), null]
 */
export class Utf8Column {
  #bytes: Buffer | undefined;
  #used = 0;
  /** Per value: its end offset, or -1 for null. */
  #ends: number[] = [];

  /** Appends a value; returns how many bytes of memory that took (0 when the buffer had room). */
  push(value: string | null): number {
    if (value === null) {
      this.#ends.push(-1);
      return SLOT_BYTES;
    }
    const grown = this.#reserve(value.length * MAX_BYTES_PER_UNIT);
    this.#used += this.#bytes!.write(value, this.#used, 'utf8');
    this.#ends.push(this.#used);
    return grown + SLOT_BYTES;
  }

  /**
   * The values as UTF-8 views (null stays null), in push order; the column starts empty again
   * and drops its buffer (the views keep it alive until the row group is written).
   */
  take(): (Uint8Array | null)[] {
    const bytes = this.#bytes;
    const values: (Uint8Array | null)[] = new Array(this.#ends.length);
    let start = 0;
    for (let i = 0; i < this.#ends.length; i++) {
      const end = this.#ends[i]!;
      if (end < 0) {
        values[i] = null;
        continue;
      }
      values[i] = bytes!.subarray(start, end);
      start = end;
    }
    this.#bytes = undefined;
    this.#used = 0;
    this.#ends = [];
    return values;
  }

  /** Makes room for `max` more bytes; returns the capacity added. */
  #reserve(max: number): number {
    const bytes = this.#bytes;
    if (bytes !== undefined && this.#used + max <= bytes.length) return 0;
    const needed = this.#used + max;
    let capacity = bytes === undefined ? INITIAL_BYTES : bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = Buffer.allocUnsafeSlow(capacity);
    if (bytes !== undefined) bytes.copy(next, 0, 0, this.#used);
    this.#bytes = next;
    return capacity - (bytes?.length ?? 0);
  }
}

/**
 * The set of call ids a run has passed on (drift.ts "Rows whose id was already passed on are
 * always dropped"), kept compact because it holds every id of the run (issue 21, memory). A
 * `Set` of numbers costs ~26 bytes per id in V8 (measured: 5.2 MB for 200,000 ids), the largest
 * thing an export keeps that grows with its size. Here finite numeric ids live in one sorted
 * `Float64Array` (8 bytes each) plus a small `Set` of the ids added since its last merge; a
 * merge runs once that `Set` holds max(4096, sorted / 16) ids, so the copies stay linear in
 * the run overall. String ids, NaN and ±Infinity stay in a plain `Set`.
 *
 * Same identity as `Set` (SameValueZero): `7` and `'7'` differ, `0` and `-0` are one id.
 */

/** Ids added since the last merge that trigger one, at the least. */
const MIN_MERGE = 4096;
/** ...and as a share of the merged ids (1/16), so a long run merges ever more rarely. */
const MERGE_SHARE = 16;

/** A set of call ids (see the module comment): `has`, `add` and `size`, as `Set` has them. */
export class IdSet {
  /** Merged finite numeric ids, ascending, without duplicates. */
  #sorted = new Float64Array(0);
  /** Finite numeric ids added since the last merge (none of them is in #sorted). */
  #recent = new Set<number>();
  /** Every other id: strings, NaN, ±Infinity. */
  #other = new Set<unknown>();

  /** How many distinct ids it holds. */
  get size(): number {
    return this.#sorted.length + this.#recent.size + this.#other.size;
  }

  has(id: unknown): boolean {
    if (typeof id !== 'number' || !Number.isFinite(id)) return this.#other.has(id);
    return this.#recent.has(id) || indexOf(this.#sorted, id) >= 0;
  }

  add(id: unknown): this {
    if (typeof id !== 'number' || !Number.isFinite(id)) {
      this.#other.add(id);
      return this;
    }
    if (this.has(id)) return this;
    this.#recent.add(id);
    if (this.#recent.size >= Math.max(MIN_MERGE, this.#sorted.length / MERGE_SHARE)) this.#merge();
    return this;
  }

  /** Merges the recent ids into the sorted array (one new array; the old one is dropped). */
  #merge(): void {
    const fresh = Float64Array.from(this.#recent).sort();
    const old = this.#sorted;
    const out = new Float64Array(old.length + fresh.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < fresh.length) out[k++] = old[i]! < fresh[j]! ? old[i++]! : fresh[j++]!;
    while (i < old.length) out[k++] = old[i++]!;
    while (j < fresh.length) out[k++] = fresh[j++]!;
    this.#sorted = out;
    this.#recent.clear();
  }
}

/** Index of `value` in the ascending `sorted`, or -1 (binary search). */
function indexOf(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

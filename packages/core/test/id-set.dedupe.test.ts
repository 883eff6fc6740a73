/**
 * The compact set of passed-on ids (id-set.ts) that drops duplicates across pages: it must
 * answer exactly as a `Set` does (SameValueZero) across its merges, for ids in the API's order
 * (descending, with gaps), out of order, and of odd kinds. The oracle is a plain `Set`.
 */
import { describe, expect, it } from 'vitest';
import { IdSet } from '../src/id-set.js';

/** A deterministic PRNG (mulberry32) so a failure replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('IdSet', () => {
  it('answers as a Set for 30,000 ids in descending order with gaps, across many merges', () => {
    const ids = new IdSet();
    const oracle = new Set<number>();
    const added: number[] = [];
    const rand = prng(1);
    let id = 9_000_000_000;
    for (let i = 0; i < 30_000; i++) {
      id -= 1 + Math.floor(rand() * 5);
      // Every id is new when added: none may be reported as seen before (a call dropped).
      expect(ids.has(id)).toBe(false);
      ids.add(id);
      oracle.add(id);
      added.push(id);
      // Re-asked at random depths: older ids (long merged) must still be found.
      const back = added[Math.floor(rand() * added.length)]!;
      expect(ids.has(back)).toBe(true);
      // A gap id (never added) must not be found.
      if (!oracle.has(id + 1)) expect(ids.has(id + 1)).toBe(false);
    }
    expect(ids.size).toBe(oracle.size);
    for (const x of oracle) expect(ids.has(x)).toBe(true);
  });

  it('answers as a Set for random ids, repeats and odd kinds (strings, -0, NaN, fractions)', () => {
    const ids = new IdSet();
    const oracle = new Set<unknown>();
    const rand = prng(7);
    const odd: unknown[] = ['7', 7, 'abc', -0, 0, Number.NaN, 1.5, -3, Number.POSITIVE_INFINITY, ''];
    for (let i = 0; i < 30_000; i++) {
      const pick = rand();
      const id = pick < 0.05 ? odd[Math.floor(rand() * odd.length)] : Math.floor(rand() * 20_000) - 500;
      expect(ids.has(id)).toBe(oracle.has(id));
      ids.add(id);
      oracle.add(id);
      expect(ids.size).toBe(oracle.size);
    }
    for (let probe = -600; probe < 20_100; probe++) expect(ids.has(probe)).toBe(oracle.has(probe));
    for (const x of [...odd, '0', 'NaN', 7.25]) expect(ids.has(x)).toBe(oracle.has(x));
  });
});

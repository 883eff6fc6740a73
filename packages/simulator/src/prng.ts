/**
 * Small seeded PRNG (mulberry32) plus a seed mixer, so that call #i is generated from its own
 * stream: the same seed gives the same call whatever `records` is, which is what makes
 * "same seed + larger count = same history + newer calls" hold.
 */

/** A function returning floats in [0, 1). */
export type Random = () => number;

/** mulberry32: 32-bit state, fast, good enough for test data (not for cryptography). */
export function mulberry32(state: number): Random {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed, an index and a stream number into one 32-bit state (murmur3 finaliser). */
export function mixSeed(seed: number, index: number, stream = 0): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of [index & 0xffffffff, Math.floor(index / 4294967296), stream]) {
    h = Math.imul(h ^ part, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A PRNG for item `index` of `stream` under `seed`. */
export function rngFor(seed: number, index: number, stream = 0): Random {
  return mulberry32(mixSeed(seed, index, stream));
}

/** Integer in [min, max], inclusive. */
export function int(rng: Random, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

/** True with probability `p`. */
export function chance(rng: Random, p: number): boolean {
  return rng() < p;
}

/** `length` lowercase hex digits. */
export function hex(rng: Random, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(rng() * 4294967296)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

/** A v4-shaped UUID. */
export function uuid(rng: Random): string {
  const h = hex(rng, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

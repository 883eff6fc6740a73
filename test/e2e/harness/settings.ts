/**
 * Scale and seed of the end-to-end chaos suite. The CI setting (default) keeps the whole suite
 * within a few minutes on 2 cores; `E2E_SCALE=large` is the local backfill-sized run. Every
 * random choice derives from one seed: `E2E_SEED=<n>` replays a run, and every assertion message
 * carries the seed (see {@link replayHint}).
 */

export type Scale = 'ci' | 'large';

export interface ScaleSettings {
  /** Calls in the simulator's history at the start. */
  records: number;
  /** `--page-size`: small, so a run has many pages (and many chances to go wrong). */
  pageSize: number;
  /** Per-test timeout, ms. */
  timeoutMs: number;
}

export const SCALES: Readonly<Record<Scale, ScaleSettings>> = {
  ci: { records: 300, pageSize: 10, timeoutMs: 180_000 },
  large: { records: 20_000, pageSize: 50, timeoutMs: 1_800_000 },
};

function readScale(): Scale {
  const raw = process.env['E2E_SCALE'];
  if (raw === undefined || raw === '' || raw === 'ci') return 'ci';
  if (raw === 'large') return 'large';
  throw new Error(`E2E_SCALE: expected "ci" or "large", received ${JSON.stringify(raw)}`);
}

function readSeed(): number {
  const raw = process.env['E2E_SEED'];
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 0xffffffff);
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 0xffffffff) {
    throw new Error(`E2E_SEED: expected an integer from 0 to 4294967295, received ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

export const SCALE: Scale = readScale();
export const SETTINGS: ScaleSettings = SCALES[SCALE];
/** The suite's seed; each scenario derives its own from it with {@link scenarioSeed}. */
export const SEED: number = readSeed();

/** A per-scenario seed, so scenarios stay independent of each other's order. */
export function scenarioSeed(scenario: number): number {
  return (SEED + scenario * 0x9e3779b1) >>> 0;
}

/** Appended to every assertion message: how to replay this exact run. */
export function replayHint(): string {
  return `[E2E_SEED=${SEED} E2E_SCALE=${SCALE}]`;
}

/**
 * A recognisable API key: if it appears in any output, summary, error or file, a leak check fails.
 */
export const LEAK_KEY = 'sk-E2E-LEAK-7f3a9c';

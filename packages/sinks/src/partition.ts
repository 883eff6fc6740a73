import { SinkError } from './errors.js';

/** Hive's name for the partition of rows whose partition value is null. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/**
 * How finely a lake is partitioned by call date (issue 16). `day` was the only grain before
 * it: one directory per table per day gave accounts with a few calls a day thousands of files
 * of a few rows each (the small-files problem every lake guide warns about).
 */
export type PartitionGrain = 'day' | 'month' | 'year' | 'none';

/** Every grain, for option checks and `--help`. */
export const PARTITION_GRAINS: readonly PartitionGrain[] = ['day', 'month', 'year', 'none'];

/** The grain a lake gets when nothing says otherwise, and why: see README "Lake layout". */
export const DEFAULT_PARTITION_GRAIN: PartitionGrain = 'month';

/**
 * The grain of a manifest written before grains existed: those lakes are day-partitioned.
 */
export const LEGACY_PARTITION_GRAIN: PartitionGrain = 'day';

/**
 * The Hive key of each grain. Chosen so DuckDB's `hive_partitioning` reads them back typed:
 * `date=2026-04-17` and `month=2026-04-01` are DATEs (a bare `2026-04` would be text), `year=2026`
 * is an integer. `none` has no partition directory.
 */
const KEYS = { day: 'date', month: 'month', year: 'year' } as const;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DIR = /^(date|month|year)=(.+)$/;

/**
 * The partition directory name of a call's date (`YYYY-MM-DD`, or null when undated) at a grain:
 * `date=2024-02-29` (day), `month=2024-02-01` (month), `year=2024` (year), `''` (none: files sit
 * in the table directory). Paths are built only from this validated value and fixed names, never
 * from record content: anything that is not a real calendar date fails instead of becoming a path
 * segment (no `../`).
 *
 * @example
 * partitionDir('2024-02-29'); // 'date=2024-02-29'
 * partitionDir('2024-02-29', 'month'); // 'month=2024-02-01'
 * partitionDir(null, 'year'); // 'year=__HIVE_DEFAULT_PARTITION__'
 */
export function partitionDir(date: string | null, grain: PartitionGrain = LEGACY_PARTITION_GRAIN): string {
  if (grain === 'none') return '';
  const key = KEYS[grain];
  if (date === null) return `${key}=${HIVE_DEFAULT_PARTITION}`;
  if (!isCalendarDate(date)) {
    throw new SinkError(
      `Invalid partition date ${JSON.stringify(String(date).slice(0, 40))}: expected YYYY-MM-DD`,
    );
  }
  if (grain === 'day') return `${key}=${date}`;
  if (grain === 'month') return `${key}=${date.slice(0, 8)}01`;
  return `${key}=${date.slice(0, 4)}`;
}

/**
 * The grain of a partition directory name made by {@link partitionDir}, or undefined for a name
 * it cannot have made.
 *
 * @example
 * partitionGrainOf('month=2024-02-01'); // 'month'
 */
export function partitionGrainOf(dir: string): PartitionGrain | undefined {
  if (dir === '') return 'none';
  const m = DIR.exec(dir);
  if (!m) return undefined;
  const grain = (Object.keys(KEYS) as (keyof typeof KEYS)[]).find((g) => KEYS[g] === m[1])!;
  if (m[2] === HIVE_DEFAULT_PARTITION) return grain;
  const first = grain === 'year' ? `${m[2]}-01-01` : m[2]!;
  return isCalendarDate(first) && partitionDir(first, grain) === dir ? grain : undefined;
}

/**
 * The Hive partition values of a partition directory (what the manifest records):
 * `{ month: '2024-02-01' }`, `{ date: null }` for the default partition, `{}` at grain `none`.
 */
export function partitionValues(dir: string): Record<string, string | null> {
  const m = DIR.exec(dir);
  if (!m) return {};
  return { [m[1]!]: m[2] === HIVE_DEFAULT_PARTITION ? null : m[2]! };
}

/**
 * The first calendar date a partition directory covers (null for the default partition and at
 * grain `none`): enough to place its rows in a coarser grain (compact).
 */
export function partitionStartDate(dir: string): string | null {
  const m = DIR.exec(dir);
  if (!m || m[2] === HIVE_DEFAULT_PARTITION) return null;
  return m[1] === 'year' ? `${m[2]}-01-01` : m[2]!;
}

/** True when every date of grain `fine`'s partitions lies in one partition of grain `coarse`. */
export function isCoarserOrEqual(coarse: PartitionGrain, fine: PartitionGrain): boolean {
  return PARTITION_GRAINS.indexOf(coarse) >= PARTITION_GRAINS.indexOf(fine);
}

/** True for a `YYYY-MM-DD` string naming a real day. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

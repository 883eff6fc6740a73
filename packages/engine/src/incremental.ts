/**
 * Incremental runs (issues 6 and 16): which part of the newest-first list a scheduled run
 * re-reads, and how it is committed so that every call is in the lake exactly once, in its latest
 * version.
 *
 * A call's partition never changes (`time_of_call` is fixed), and the list is newest first with
 * `time_of_call` rising with id (docs/api-notes.md "Ordering and paging"). So a run reads from the
 * newest call down to `newest committed call time − lookback`, and stops once calls are older
 * than that (after a run of them: one wrong time must not end it, stray-old-call.ts). The dataset
 * sink's `mergePartitions` mode then rewrites each partition the run wrote as the lake's rows
 * merged with the run's (a re-read call replaces its old rows in every table; the partition's
 * other calls are carried over), so a month partition is never re-read whole from the API. A call
 * deleted upstream stays in the lake until a full run.
 */
import {
  type DatasetManifest,
  type PartitionGrain,
  readManifest,
  refuseOtherGrain,
} from '@omnidim-stream/sinks';
import { localDateOf, parseApiDateTime, SCHEMAS, TABLE_NAMES } from '@omnidim-stream/transform';
import {
  checkStateMatches,
  type RunState,
  readRunState,
  type StateKey,
  type Watermark,
} from './run-state.js';
import { parseWindowBound } from './time-window.js';

/**
 * How far past the run's own clock a call time may be and still move the watermark: 15 h.
 * `time_of_call` has no documented zone; read in the wrong one the newest calls look up to 14 h
 * in the future (docs/api-notes.md "Field semantics"), so 14 h + 1 h of clock drift. A later
 * time (one call dated 01/01/2099, issue 11) is kept as a row in its own partition but never
 * becomes the watermark: trusted, it would put every later run's cutoff past every new call.
 */
export const WATERMARK_CLOCK_SKEW_MS = 15 * 3_600_000;

/** The latest call time (ms) this run trusts for its watermark: its own clock plus the skew. */
export function trustedTimeLimit(nowMs: number): number {
  return nowMs + WATERMARK_CLOCK_SKEW_MS;
}

/**
 * The newer of two watermarks by call time, ignoring a candidate whose time is unreadable or
 * past `limitMs` ({@link trustedTimeLimit}). Taking the newest time rather than the first call
 * read also keeps the watermark right when ids and times disagree with the list order.
 *
 * @example
 * ```ts
 * newerTrustedWatermark(null, { newestId: 9, newestTime: '2099-01-01T00:00:00.000Z', newestTimeOfCall: '01/01/2099 00:00:00' }, Date.now()); // null
 * ```
 */
export function newerTrustedWatermark(
  current: Watermark | null,
  candidate: Watermark,
  limitMs: number,
): Watermark | null {
  const time = candidate.newestTime === null ? Number.NaN : Date.parse(candidate.newestTime);
  if (Number.isNaN(time) || time > limitMs) return current;
  if (current?.newestTime == null) return candidate;
  return time > Date.parse(current.newestTime) ? candidate : current;
}

/**
 * The watermark a call would set: its id and its `time_of_call`, read by the transform's parser
 * in `timeZone` (null when unreadable).
 */
export function watermarkOf(record: unknown, timeZone: string): Watermark {
  const log = record as { id?: unknown; time_of_call?: unknown } | null;
  const id = log?.id;
  const text = typeof log?.time_of_call === 'string' ? log.time_of_call : null;
  const instant = text === null ? null : parseApiDateTime(text, timeZone);
  return {
    newestId: typeof id === 'number' || typeof id === 'string' ? id : null,
    newestTime: instant ? instant.toISOString() : null,
    newestTimeOfCall: text,
  };
}

/** What this run does. */
export interface RunPlan {
  /** `full`: everything, replacing the dataset; `incremental`: down to `cutoff`, replacing partitions. */
  kind: 'full' | 'incremental';
  /** The state the run continues from (undefined on a first or `--full` run, or without `--state`). */
  previous: RunState | undefined;
  /** Incremental: stop after a run of calls older than this instant (ms; stray-old-call.ts). */
  cutoff: number | undefined;
  /** Incremental: the local date `cutoff` starts (the oldest partition replaced). */
  cutoffDate: string | undefined;
  /** Why a `--state` run is full, for stderr (undefined when nothing needs saying). */
  note: string | undefined;
}

/**
 * The start of the local date (in `timeZone`) that contains `instant`: the incremental cutoff, so
 * that whole date partitions are re-read.
 *
 * @example
 * ```ts
 * startOfLocalDate(Date.parse('2026-05-04T03:30:00Z'), 'America/New_York'); // 2026-05-03T04:00Z
 * ```
 */
export function startOfLocalDate(instant: number, timeZone: string): { instant: number; date: string } {
  const date = localDateOf(new Date(instant), timeZone);
  const start = parseWindowBound(date, timeZone);
  if (start === undefined) throw new Error(`unreachable: ${date} is a valid date`);
  return { instant: start, date };
}

/**
 * A table of the dataset written with another schema version than this one writes (`calls`
 * became version 2 when `call_date` became a DATE, issue 17), described for the plan's note. The
 * dataset's partitions cannot be replaced one by one then (the sink refuses to mix versions in a
 * table): the run replaces everything, so a lake upgrades on its next scheduled run.
 */
function olderSchema(manifest: DatasetManifest): string | undefined {
  for (const table of TABLE_NAMES) {
    const version = manifest.tables[table]?.schemaVersion;
    if (version !== undefined && version !== SCHEMAS[table].version) {
      return `${table} of schema version ${version} (this version writes ${SCHEMAS[table].version})`;
    }
  }
  return undefined;
}

/**
 * Decides the run from `--state`/`--lookback`/`--full` and the state file. A state written with
 * other format/tables/time zone/filters is a usage error (before anything is written). A
 * watermark past `timeLimitMs` ({@link trustedTimeLimit}; a state written before issue 11 may
 * hold one from a call dated 2099) is clamped to it, so such a lake heals on its next run.
 */
export async function planRun(
  incremental: { stateFile: string; lookbackMs: number; full?: boolean } | undefined,
  key: StateKey,
  outDir: string,
  timeLimitMs: number,
  partitionBy: PartitionGrain,
): Promise<RunPlan> {
  // Grains never mix (issue 16): refused before any request, full run or not.
  refuseOtherGrain(await readManifest(outDir).catch(() => undefined), partitionBy);
  const full = (note?: string, previous?: RunState): RunPlan => ({
    kind: 'full',
    previous,
    cutoff: undefined,
    cutoffDate: undefined,
    note,
  });
  if (!incremental) return full();
  const previous = await readRunState(incremental.stateFile);
  if (incremental.full) return full(undefined, previous);
  if (!previous) return full();
  checkStateMatches(previous, key, incremental.stateFile);
  const manifest = await readManifest(outDir).catch(() => undefined);
  if (!manifest) {
    return full(
      `the state ${incremental.stateFile} exists but ${outDir} holds no dataset: exporting everything`,
    );
  }
  const older = olderSchema(manifest);
  if (older) return full(`${outDir} holds ${older}: exporting everything`, previous);
  const stored =
    previous.watermark.newestTime === null ? Number.NaN : Date.parse(previous.watermark.newestTime);
  if (Number.isNaN(stored)) return full();
  // A watermark written by a trusted run is at most its commit time + the skew; one past that (a
  // state from before issue 11 holding 2099) is clamped there, not to this run's clock: with an
  // exact lookback window (issue 16), this run's clock + 15 h − lookback can be later than calls
  // that arrived since the last run, which would then never be read.
  const committed = Date.parse(previous.committedAt);
  const limit = Number.isNaN(committed) ? timeLimitMs : Math.min(timeLimitMs, trustedTimeLimit(committed));
  const newest = Math.min(stored, limit);
  // Merge-on-write (issue 16): the partitions a run writes are merged with the lake's rows, so
  // they need not be complete: the run re-reads exactly its lookback window, not whole dates.
  const cutoff = newest - incremental.lookbackMs;
  const cutoffDate = localDateOf(new Date(cutoff), key.timeZone);
  return { kind: 'incremental', previous, cutoff, cutoffDate, note: undefined };
}

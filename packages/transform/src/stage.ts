/**
 * Stream adapters around {@link tryFlattenCallLog}: an async-generator stage for `pipeline()`
 * and an object-mode `Transform`. Both only forward: the work is in `flatten.ts`.
 *
 * A broken record never fails the run: it goes to `onQuarantine` (and, on the Transform, the
 * `'quarantine'` event) and is counted in the stats; it is never dropped silently.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidOptionError } from '@omnidim-stream/core';
import type { FlatCallLog, QuarantinedRecord } from './flat-call-log.js';
import { tryFlattenCallLog } from './flatten.js';
import { type ResolvedTransformOptions, resolveTransformOptions, type TransformOptions } from './options.js';
import { TABLE_NAMES, type TableName } from './table-schema.js';

/** Live counters of a flatten stage. */
export interface FlattenStats {
  /** Records received. */
  records: number;
  /** Records flattened into rows. */
  flattened: number;
  /** Records set aside in quarantine. */
  quarantined: number;
  /** Values that fit no column type and were kept in `extra`. */
  coercions: number;
  /** Rows produced per table. */
  rows: Record<TableName, number>;
}

/** Options of the stream stages: the transform's options plus the quarantine side channel. */
export interface FlattenStageOptions extends TransformOptions {
  /** Called with every quarantined record (reason, detail, record with secrets masked). */
  onQuarantine?: (record: QuarantinedRecord) => void;
  /** A stats object to update live (e.g. from {@link createFlattenStats}); one is created if absent. */
  stats?: FlattenStats;
}

/**
 * A zeroed {@link FlattenStats}.
 *
 * @example
 * const stats = createFlattenStats();
 * for await (const flat of flattenCallLogs(logs, { stats })) { ... }
 * stats.rows.interactions;
 */
export function createFlattenStats(): FlattenStats {
  return {
    records: 0,
    flattened: 0,
    quarantined: 0,
    coercions: 0,
    rows: Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>,
  };
}

interface Stage {
  readonly options: ResolvedTransformOptions;
  readonly stats: FlattenStats;
  readonly onQuarantine: ((record: QuarantinedRecord) => void) | undefined;
}

function resolveStage(options: FlattenStageOptions = {}): Stage {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionError('options', 'an object', options);
  const { onQuarantine, stats, ...rest } = options;
  if (onQuarantine !== undefined && typeof onQuarantine !== 'function') {
    throw new InvalidOptionError('onQuarantine', 'a function', onQuarantine);
  }
  if (
    stats !== undefined &&
    (typeof stats !== 'object' || stats === null || typeof stats.rows !== 'object')
  ) {
    throw new InvalidOptionError('stats', 'a FlattenStats object (createFlattenStats())', stats);
  }
  return { options: resolveTransformOptions(rest), stats: stats ?? createFlattenStats(), onQuarantine };
}

/** Flattens one record and updates the stats. */
function step(stage: Stage, record: unknown): { flat: FlatCallLog } | { quarantine: QuarantinedRecord } {
  const { stats } = stage;
  stats.records++;
  const result = tryFlattenCallLog(record, stage.options);
  if (!result.ok) {
    stats.quarantined++;
    return { quarantine: result.quarantine };
  }
  const flat = result.value;
  stats.flattened++;
  stats.coercions += flat.coercions;
  for (const table of TABLE_NAMES) stats.rows[table] += flat.tables[table].length;
  return { flat };
}

/**
 * Async-generator stage: raw call logs in, {@link FlatCallLog}s out. Options are validated
 * when the function is called, before the source is read.
 *
 * @example
 * await pipeline(Readable.from(logs), (source) => flattenCallLogs(source, { timeZone: 'UTC' }), sink);
 */
export function flattenCallLogs(
  source: AsyncIterable<unknown> | Iterable<unknown>,
  options: FlattenStageOptions = {},
): AsyncGenerator<FlatCallLog> {
  return run(resolveStage(options), source);
}

/**
 * The same stage as a `pipeline()` step function: `pipeline(src, flattenStage(opts), sink)`.
 * Options are validated once, here.
 *
 * @example
 * await pipeline(Readable.from(logs), flattenStage({ onQuarantine: (q) => bad.push(q) }), sink);
 */
export function flattenStage(
  options: FlattenStageOptions = {},
): (source: AsyncIterable<unknown> | Iterable<unknown>) => AsyncGenerator<FlatCallLog> {
  const stage = resolveStage(options);
  return (source) => run(stage, source);
}

async function* run(
  stage: Stage,
  source: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<FlatCallLog> {
  for await (const record of source) {
    const out = step(stage, record);
    if ('flat' in out) yield out.flat;
    else stage.onQuarantine?.(out.quarantine);
  }
}

/** Object-mode Transform: call log in, {@link FlatCallLog} out; emits `'quarantine'`. */
export class FlattenStream extends Transform {
  /** Live counters. */
  readonly stats: FlattenStats;
  readonly #stage: Stage;

  constructor(options: FlattenStageOptions = {}) {
    super({ objectMode: true });
    this.#stage = resolveStage(options);
    this.stats = this.#stage.stats;
  }

  override _transform(record: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    let out: ReturnType<typeof step>;
    try {
      out = step(this.#stage, record);
      if ('quarantine' in out) {
        this.emit('quarantine', out.quarantine);
        this.#stage.onQuarantine?.(out.quarantine);
        callback();
        return;
      }
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, out.flat);
  }
}

/**
 * Creates a {@link FlattenStream}: object mode, call log in → {@link FlatCallLog} out.
 * Quarantined records go to `onQuarantine` and the `'quarantine'` event, and are counted in
 * `stream.stats`; they never fail the stream.
 *
 * @example
 * const flatten = createFlattenStream({ timeZone: 'Asia/Kolkata' });
 * flatten.on('quarantine', (q) => console.warn(q.reason, q.detail));
 * await pipeline(Readable.from(logs), flatten, sink);
 * console.log(flatten.stats.rows.calls);
 */
export function createFlattenStream(options: FlattenStageOptions = {}): FlattenStream {
  return new FlattenStream(options);
}

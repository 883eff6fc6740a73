/**
 * One engine export (bench/cases/engine-export.ts) in its own process, into a scratch directory
 * removed afterwards, checked before any figure is used: every call of the history read, the
 * `calls` table holding one row per call, completeness proven. Runs with the same parameters
 * against the same server are made once per bench run (the CPU goal reuses the versus run).
 */
import { type CaseResult, type RunCaseOptions, runCase } from './child.js';
import type { BenchContext } from './context.js';

export interface EngineExportParams {
  baseUrl: string;
  format?: 'parquet' | 'csv' | 'ndjson';
  concurrency?: number;
  workers?: number;
}

export interface EngineExportResult extends CaseResult {
  records: number;
  rows: Record<string, number>;
  files: number;
  bytes: number;
  proven: boolean;
}

const runs = new Map<string, Promise<EngineExportResult>>();

/**
 * Runs (or reuses) the export of `expected` calls; rejects when the output is short.
 *
 * @example
 * const r = await runEngineExport(ctx, { baseUrl: replay.url }, 20_000, { env, cacheKey: '0 ms', round: 0 });
 */
export function runEngineExport(
  ctx: BenchContext,
  params: EngineExportParams,
  expected: number,
  /**
   * `cacheKey` (the server's state the parameters do not show, e.g. its latency) enables reuse;
   * `round` (repeat.ts) tells repeated runs apart, so round 2 of one goal reuses round 2 of another.
   */
  options: RunCaseOptions & { cacheKey?: string; round?: number } = {},
): Promise<EngineExportResult> {
  const key = `${options.cacheKey ?? ''}#${options.round ?? 0}${JSON.stringify(params)}:${JSON.stringify(options.env ?? {})}`;
  const cacheable = options.cacheKey !== undefined && options.cpuProfDir === undefined;
  const cached = cacheable ? runs.get(key) : undefined;
  if (cached) return cached;
  const pending = (async () => {
    const out = await ctx.scratch('export');
    try {
      // The compiled packages, as users run them (child.ts `compiled`: workers compile nothing).
      const r = await runCase<EngineExportResult>(
        'engine-export',
        { ...params, out },
        { ...options, compiled: true },
      );
      if (r.records !== expected || r.rows['calls'] !== expected || !r.proven) {
        throw new Error(
          `engine export read ${r.records} calls, wrote ${r.rows['calls']} calls rows (proven: ${r.proven}), expected ${expected}`,
        );
      }
      return r;
    } finally {
      await ctx.discard(out);
    }
  })();
  if (cacheable) runs.set(key, pending);
  return pending;
}

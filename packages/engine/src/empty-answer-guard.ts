import { EmptyResultError } from '@omnidim-stream/core';
import { readManifest } from '@omnidim-stream/sinks';

/**
 * A full export replaces the whole dataset, so one that found no call would leave an empty lake
 * and exit 0 when the API suddenly answers `total_records: 0` (a wrong account, a backend
 * incident). Refused (code `LIMIT_EXCEEDED`, CLI exit 4, nothing committed) when the dataset holds rows, unless
 * `allowEmpty`. A shrink that is not to zero is not refused: deletions, a new filter or `since`
 * shrink a lake legitimately, and no threshold tells those apart from an API fault.
 *
 * @example
 * ```ts
 * await refuseEmptyReplacement({ outDir: 'lake', records: 0, totalAtStart: 0, incremental: false });
 * ```
 */
export async function refuseEmptyReplacement(run: {
  outDir: string;
  records: number;
  totalAtStart: number | undefined;
  incremental: boolean;
}): Promise<void> {
  if (run.records > 0) return;
  const previous = await readManifest(run.outDir).catch(() => undefined);
  const rows = previous?.files.reduce((n, f) => n + f.rows, 0) ?? 0;
  if (rows === 0) return;
  const calls = previous?.files.filter((f) => f.table === 'calls').reduce((n, f) => n + f.rows, 0) ?? 0;
  throw new EmptyResultError(
    rows,
    `The export found no call (the API announced total_records ${run.totalAtStart ?? 'unknown'}) but ${run.outDir} holds ${calls} call(s) (${rows} rows): refusing to replace it with an empty dataset. Nothing was committed; the previous dataset${run.incremental ? ' and state are' : ' is'} unchanged. Pass --allow-empty if an empty result is expected`,
  );
}

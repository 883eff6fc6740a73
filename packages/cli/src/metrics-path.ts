import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { UsageError } from './exit-codes.js';

/**
 * Where `--metrics-file` may go: not inside `--out`. It is written at the end of every run, failed
 * ones included, so inside the lake it could replace the manifest or a data file that a failed
 * run must leave intact (found in review). The check resolves symlinked directories, the way the
 * write will; the file's own name is not followed (the write renames over it).
 *
 * @example
 * ```ts
 * checkMetricsPlacement('/var/lib/node_exporter/omnidim.prom', '/data/lake'); // ok
 * checkMetricsPlacement('/data/lake/_manifest.json', '/data/lake'); // throws UsageError
 * ```
 */
export function checkMetricsPlacement(metricsFile: string, outDir: string): void {
  const rel = relative(realPathOf(outDir), join(realPathOf(dirname(metricsFile)), basename(metricsFile)));
  const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  if (!outside) {
    throw new UsageError(
      `--metrics-file: must be outside --out (the lake owns every file under ${outDir}), received ${JSON.stringify(metricsFile)}`,
    );
  }
}

/** `path` with the symlinks of its longest existing ancestor resolved; the rest appended as given. */
function realPathOf(path: string): string {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync.native(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest.push(basename(current));
      current = parent;
    }
  }
}

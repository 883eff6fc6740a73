import { type ExportPlan, planExport } from '@omnidim-stream/engine';
import { EXIT_CODES } from '../exit-codes.js';
import type { ExportOptions } from '../export-options.js';
import type { CliIo } from '../io.js';
import { withFlagName } from '../option-flags.js';
import { loadApiKey, transformOptionsFor } from '../secrets.js';
import { engineOptions } from './export.js';

/**
 * `omnidim-stream export --dry-run` (issue 19): every flag validated as for a real run, the key
 * checked with one request (`GET /calls/logs?pagesize=1`, engine's `planExport()`), and what the
 * run would do printed on stdout (text, or one JSON object with `--json`). Nothing is written, no
 * lock is taken, `--out` is not even created. Errors exit with the export's codes (3 for a
 * refused key, 4 for an API failure).
 */
export async function runDryRun(options: ExportOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  const transform = await transformOptionsFor(options, io.env, io.cwd);
  const apiKey = await loadApiKey({ env: io.env, apiKeyFile: options.apiKeyFile, cwd: io.cwd });
  let plan: ExportPlan;
  try {
    plan = await planExport({
      ...engineOptions(options, { apiKey, baseUrl: options.baseUrl }, transform),
      signal,
      ...(io.now ? { now: io.now } : {}),
    });
  } catch (error) {
    throw withFlagName(error);
  }
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ command: 'export', dryRun: true, outputDir: options.outDir, ...plan })}\n`,
    );
  } else io.stdout.write(formatPlan(plan, options));
  return EXIT_CODES.OK;
}

/** The plan for people: one fact per line. */
export function formatPlan(plan: ExportPlan, options: ExportOptions): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const stopsEarly = plan.upperBound ? ' (at most: paging stops earlier, at --since or the cutoff)' : '';
  const replaced =
    plan.existingPartitions === 0
      ? 'none (no dataset yet)'
      : `${plan.replacedPartitions.length} of ${plan.existingPartitions}${
          plan.replacedPartitions.length ? `: ${plan.replacedPartitions.join(', ')}` : ''
        }${plan.mode === 'incremental' ? ' (and any newer date)' : ''}`;
  const lines = [
    `dry run: the key was accepted (1 request); nothing written, no lock taken`,
    `out: ${options.outDir} (${options.format})`,
    `mode: ${plan.mode}${options.incremental ? ` (state ${options.incremental.stateFile})` : ''}`,
    ...(plan.note ? [`note: ${plan.note}`] : []),
    `cutoff: ${plan.cutoff ? `${plan.cutoff} (re-reads from date=${plan.cutoffDate})` : 'none (the whole list)'}`,
    `calls announced by the API: ${n(plan.announcedCalls)}; pages of ${options.pageSize}: ${n(plan.pagesAtMost)}${stopsEarly}`,
    `partitions that would be replaced: ${replaced}`,
  ];
  return `${lines.join('\n')}\n`;
}

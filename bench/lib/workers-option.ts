/**
 * Whether the engine has issue 21's `workers` option yet. Until it lands the engine ignores an
 * unknown key (its options are spread), so passing `workers` would measure the same main-thread
 * run three times and call it scaling: the scaling rows print "n/a (no workers option)" instead.
 */
import { EXPORT_CALL_LOGS_DEFAULTS, resolveExportCallLogsOptions } from '@omnidim-stream/engine';

/**
 * True when the engine validates `workers` (a negative count is refused naming the option) or
 * has a default for it. Resolving options does no I/O and no request.
 *
 * @example
 * if (!hasWorkersOption()) console.log('n/a (no workers option)');
 */
export function hasWorkersOption(): boolean {
  if ('workers' in EXPORT_CALL_LOGS_DEFAULTS) return true;
  try {
    resolveExportCallLogsOptions({ apiKey: 'probe', outDir: 'probe', workers: -1 } as Parameters<
      typeof resolveExportCallLogsOptions
    >[0]);
    return false;
  } catch (error) {
    return (error as { option?: unknown }).option === 'workers';
  }
}

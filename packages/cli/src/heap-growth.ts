/**
 * How far V8 lets the heap grow past what is live before its next full collection, set by the
 * CLI's process entry (issue 21, memory). Left to itself V8 picks a factor of up to 4 from the
 * allocation rate, and an export allocates fast: a 20,000-call Parquet export at month grain held
 * ~50–60 MB live yet grew its heap to 160–180 MB (peak RSS 272–285 MB with the row-group budget;
 * bench/memory.ts). At 25% the same run peaks near 200 MB for a few more full collections.
 * `--max-old-space-size` cannot be changed once Node runs; this flag is read at every collection,
 * so `v8.setFlagsFromString` works at start-up, and it is process-wide (worker threads too).
 * Only the CLI applies it: a library user's process keeps its own settings.
 */
import { setFlagsFromString } from 'node:v8';

/** Percent the old generation may grow past its live size before the next full collection. */
export const HEAP_GROWING_PERCENT = 25;

const FLAG = '--heap-growing-percent';

/**
 * The flag the CLI sets, or undefined when Node was started with one (`node
 * --heap-growing-percent=0 …` restores V8's own choice: the user's flag wins).
 *
 * @example
 * heapGrowthFlag([]); // '--heap-growing-percent=25'
 * heapGrowthFlag(['--heap-growing-percent=0']); // undefined
 */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  const own = execArgv.some(
    (a) => a === FLAG || a.startsWith(`${FLAG}=`) || a.startsWith('--heap_growing_percent'),
  );
  return own ? undefined : `${FLAG}=${HEAP_GROWING_PERCENT}`;
}

/** The flags this Node was started with: its command line's, and `NODE_OPTIONS`' (a container's usual place). */
export function nodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...process.execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/).filter(Boolean)];
}

/**
 * Applies {@link heapGrowthFlag} to this process; returns the flag set, if any.
 *
 * @example
 * applyHeapGrowth(process.execArgv);
 */
export function applyHeapGrowth(execArgv: readonly string[] = nodeFlags()): string | undefined {
  const flag = heapGrowthFlag(execArgv);
  if (flag !== undefined) setFlagsFromString(flag);
  return flag;
}

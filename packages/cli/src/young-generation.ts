/**
 * A cap on V8's young generation, set by the CLI's process entry (issue 21, memory). V8 starts
 * each semi-space of the young generation at 1 MB and doubles it while objects survive, up to
 * 16 MB on 64-bit Node 20 and 22 (32 MB of new space; Node 24's V8 let it reach 128 MB in
 * young-generation.cap.test.ts), which an export, allocating fast, fills at once and keeps
 * resident. `--max-semi-space-size` would cap it, but V8 reads that flag only when the
 * heap is set up, so `v8.setFlagsFromString` at start-up cannot change it (measured: the new
 * space still reaches 33.6 MB). `--semi-space-growth-factor` is read at every growth, though:
 * after each collection this module looks at the new space and sets the factor to reach
 * {@link YOUNG_SEMI_SPACE_MB} in one step (factor target ÷ current), then to 1 (no growth) once
 * there; should V8 shrink the space later, the next collection lets it grow back to the cap.
 *
 * Measured on a 20,000-call Parquet export (bench/memory.ts, Node 20): peak RSS ~196 MB
 * uncapped, ~181 MB at 8 MB, ~155 MB at 4 MB; scavenges ×2 and ×4. The cap is best effort: the
 * observer runs between tasks, so a long synchronous stretch that grows the space twice before
 * it runs leaves one step more (V8 never exceeds its own maximum). The factor is process-wide,
 * so worker threads' young generations stop growing too once the main thread's reached the cap.
 * Only the CLI applies it: a library user's process keeps its own settings; a user who passes a
 * young-generation flag to node (command line or `NODE_OPTIONS`) keeps theirs.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The semi-space size the CLI lets V8's young generation grow to, MB (the new space is twice it). */
export const YOUNG_SEMI_SPACE_MB = 8;

const MB = 1024 * 1024;
const USER_FLAGS = ['--max-semi-space-size', '--min-semi-space-size', '--semi-space-growth-factor'];

/**
 * Whether node was started with a young-generation flag of its own (then the CLI sets none).
 *
 * @example
 * hasYoungGenerationFlag(['--max-semi-space-size=4']); // true
 */
export function hasYoungGenerationFlag(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => {
    const name = arg.split('=')[0]!.replaceAll('_', '-');
    return USER_FLAGS.includes(name);
  });
}

/** V8's new space now (both semi-spaces), bytes. */
export function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * The growth factor that takes a semi-space of `semiBytes` to `capBytes` in one growth, or 1
 * (no growth) at or above it.
 *
 * @example
 * growthFactorFor(1 * 1024 * 1024, 8 * 1024 * 1024); // 8
 */
export function growthFactorFor(semiBytes: number, capBytes: number): number {
  if (semiBytes >= capBytes || semiBytes <= 0) return 1;
  return Math.max(2, Math.floor(capBytes / semiBytes));
}

/**
 * Starts the cap (see the module comment) unless `execArgv` holds a young-generation flag;
 * returns a function that stops it and gives V8 back its default factor, or undefined when
 * nothing was set.
 *
 * @example
 * const stop = capYoungGeneration({ execArgv: process.execArgv });
 * // … later, if ever:
 * stop?.();
 */
export function capYoungGeneration(
  options: { semiSpaceMb?: number; execArgv?: readonly string[] } = {},
): (() => void) | undefined {
  if (hasYoungGenerationFlag(options.execArgv ?? [])) return undefined;
  const capBytes = (options.semiSpaceMb ?? YOUNG_SEMI_SPACE_MB) * MB;
  let factor = 0;
  const adjust = () => {
    const next = growthFactorFor(newSpaceBytes() / 2, capBytes);
    if (next === factor) return;
    factor = next;
    setFlagsFromString(`--semi-space-growth-factor=${next}`);
  };
  adjust();
  const observer = new PerformanceObserver(adjust);
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    setFlagsFromString('--semi-space-growth-factor=2');
  };
}

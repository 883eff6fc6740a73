import type { RunProgress } from '@omnidim-stream/engine';

/** What the progress display shows: the engine's live counters of the run. */
export type ProgressState = RunProgress;

const BAR_WIDTH = 24;

/**
 * Formats one progress frame. Pure, so its wording is unit-tested without a terminal.
 * - The API announced a total the run will reach (a full export, or one capped by
 *   `--max-records`): a bar over those calls, the share, calls/s, elapsed, ETA and retries.
 * - The run stops at `--since` or an incremental cutoff: the API's total is only an upper bound
 *   (its list goes further back), so no bar and no ETA are promised: `(at most N)` instead
 *   (issue 19: the old line announced 60 pages and finished after 16).
 * - Nothing announced yet: calls, rate, elapsed and retries only.
 *
 * @example
 * ```ts
 * formatProgress({ pages: 2, plannedPages: 4, records: 300, retries: 0, announcedCalls: 600 }, 1500);
 * // '[############------------] 300/600 calls  50% · 200 calls/s · elapsed 1.5s · ETA 1.5s · 0 retries'
 * ```
 */
export function formatProgress(state: ProgressState, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const rate = state.records / seconds;
  const calls = state.records.toLocaleString('en-US');
  const tail = `${Math.round(rate).toLocaleString('en-US')} calls/s · elapsed ${formatDuration(elapsedMs)}`;
  const retries = `${state.retries} ${state.retries === 1 ? 'retry' : 'retries'}`;
  const total = state.announcedCalls;
  if (total === undefined) return `${calls} calls · ${tail} · ${retries}`;
  if (state.upperBound) {
    return `${calls} calls (at most ${total.toLocaleString('en-US')}: stops at --since/the cutoff) · ${tail} · ${retries}`;
  }
  const share = total === 0 ? 1 : Math.min(state.records / total, 1);
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const left = Math.max(total - state.records, 0);
  const eta = state.records > 0 ? formatDuration((left / rate) * 1000) : '?';
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  return `${bar} ${calls}/${total.toLocaleString('en-US')} calls ${percent} · ${tail} · ETA ${eta} · ${retries}`;
}

/** `1.2s`, `42s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Draws the progress frame on a terminal; a no-op renderer when disabled. */
export interface ProgressRenderer {
  update(): void;
  /** Clears the frame (before a log line, an error or the final summary line). */
  clear(): void;
  /** Clears the frame for good. */
  done(): void;
}

/**
 * A progress display on stderr that redraws one line at most every `intervalMs`, cut to the
 * terminal's width. Enabled only when stderr is a terminal (and not `--quiet` / `--json`):
 * piped or logged stderr gets log lines, never frames. A hand-written line rather than a
 * progress-bar package: one line, no dependency, and the log writer clears it before each line.
 */
export function createProgress(options: {
  enabled: boolean;
  stream: { write(chunk: string): unknown; columns?: number };
  state: ProgressState;
  now: () => number;
  intervalMs?: number;
}): ProgressRenderer {
  if (!options.enabled) return { update() {}, clear() {}, done() {} };
  const started = options.now();
  const interval = options.intervalMs ?? 100;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const clear = () => {
    if (drawn) options.stream.write('\r\x1b[K');
    drawn = false;
  };
  return {
    update() {
      const now = options.now();
      if (now - last < interval) return;
      last = now;
      drawn = true;
      // A pseudo-terminal may report 0 columns: treat that as unknown.
      const width = Math.max((options.stream.columns || 120) - 1, 20);
      options.stream.write(`\r\x1b[K${formatProgress(options.state, now - started).slice(0, width)}`);
    },
    clear,
    done: clear,
  };
}

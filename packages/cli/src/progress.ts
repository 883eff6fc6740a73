/** What the progress line shows; filled in by the run as it goes. */
export interface ProgressState {
  pages: number;
  /** From `total_records` ÷ page size (capped by `--max-records`), once the first page arrived. */
  plannedPages: number | undefined;
  records: number;
  retries: number;
}

/**
 * Formats one progress line: pages done / planned, records, records/s, retries, ETA. Pure, so
 * its wording is unit-tested without a terminal.
 *
 * @example
 * ```ts
 * formatProgress({ pages: 2, plannedPages: 4, records: 300, retries: 0 }, 1500);
 * // 'pages 2/4 · 300 records · 200 rec/s · 0 retries · ETA 2s'
 * ```
 */
export function formatProgress(state: ProgressState, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const rate = state.records / seconds;
  const planned = state.plannedPages === undefined ? '?' : String(state.plannedPages);
  let eta = '?';
  if (state.plannedPages !== undefined && state.pages > 0) {
    const left = Math.max(state.plannedPages - state.pages, 0);
    eta = formatDuration((left * seconds * 1000) / state.pages);
  }
  return `pages ${state.pages}/${planned} · ${state.records.toLocaleString('en-US')} records · ${Math.round(
    rate,
  ).toLocaleString(
    'en-US',
  )} rec/s · ${state.retries} ${state.retries === 1 ? 'retry' : 'retries'} · ETA ${eta}`;
}

/** `1.2s`, `42s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Draws the progress line on a terminal; a no-op renderer when disabled. */
export interface ProgressRenderer {
  update(): void;
  /** Clears the line (before an error or the final summary line). */
  done(): void;
}

/**
 * A progress renderer on stderr that redraws one line at most every `intervalMs`. Enabled only
 * when stderr is a TTY and `--quiet` is off: piped or logged stderr gets nothing but errors.
 */
export function createProgress(options: {
  enabled: boolean;
  stream: { write(chunk: string): unknown };
  state: ProgressState;
  now: () => number;
  intervalMs?: number;
}): ProgressRenderer {
  if (!options.enabled) return { update() {}, done() {} };
  const started = options.now();
  const interval = options.intervalMs ?? 100;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update() {
      const now = options.now();
      if (now - last < interval) return;
      last = now;
      drawn = true;
      options.stream.write(`\r\x1b[K${formatProgress(options.state, now - started)}`);
    },
    done() {
      if (drawn) options.stream.write('\r\x1b[K');
    },
  };
}

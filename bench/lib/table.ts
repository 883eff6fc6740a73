/**
 * Plain-text tables with aligned columns: numbers right-aligned, text left-aligned, so the
 * output pastes into BENCHMARKS.md as is.
 */

export type Cell = string | number | null;

/** Formats a number with a fixed number of decimals and thousands separators. */
export function fmt(value: number | null | undefined, decimals = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** `3.21×` */
export function ratio(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(decimals)}×`;
}

/** Bytes → MB (10^6), one decimal. */
export function mb(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  return fmt(bytes / 1e6, 1);
}

/**
 * Renders `rows` under `headers`; a column is right-aligned when every non-empty cell in it
 * looks numeric (digits, separators, units such as `×`, `%`, `s`).
 *
 * @example
 * console.log(renderTable(['case', 'calls/s'], [['floor', fmt(12345)]]));
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) =>
    headers.map((_, i) => (row[i] === null || row[i] === undefined ? '' : String(row[i]))),
  );
  const numeric = headers.map((_, i) =>
    text.every(
      (row) => row[i] === '' || row[i] === '—' || /^[-+]?[\d,.]+\s*(×|%|s|ms|MB)?$/.test(row[i] ?? ''),
    ),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** Prints a titled table followed by optional notes. */
export function printTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  notes: readonly string[] = [],
): void {
  const out = [`\n## ${title}\n`, renderTable(headers, rows)];
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${n}`));
  console.log(out.join('\n'));
}

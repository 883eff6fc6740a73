/**
 * The text of a `float64` value in CSV and NDJSON. A whole double is written with a decimal point
 * (`12.0`, not `12`): DuckDB's CSV and JSON sniffers type a column from its text, and a column of
 * whole scores or durations written `12` came back BIGINT from CSV/NDJSON but DOUBLE from Parquet
 * (issue 17). The API documents these fields as numbers, so one whole example must not narrow
 * the column. Exponent forms (`1e+21`, `5e-7`) already read as DOUBLE and are left as they are.
 *
 * @example
 * doubleText(12); // '12.0'
 * doubleText(0.25); // '0.25'
 * doubleText(-0); // '-0.0'
 */
export function doubleText(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return Number.isInteger(value) && !text.includes('e') ? `${text}.0` : text;
}

/**
 * The dataset's file formats and the codecs each accepts: the one vocabulary the dataset sink
 * validates against and the CLI's `--format` / `--compression` flags are built from.
 */

/** Output formats of a dataset; the first is the default. */
export const FORMATS = ['parquet', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** The dataset's default format. */
export const DEFAULT_FORMAT: Format = 'parquet';

/**
 * Codecs each format accepts; the first is the default. Parquet's zstd is node:zlib's or a
 * pinned WebAssembly build (packages/sinks/src/zstd.ts); no lz4 (two incompatible Parquet codecs).
 * zstd is the Parquet default by measurement (bench/parquet-codecs.ts, issue 17): files 28%
 * smaller than snappy's (0.18 vs 0.25 of uncompressed) for no more CPU, since hyparquet-writer's
 * snappy is plain JavaScript.
 */
export const COMPRESSIONS = {
  parquet: ['zstd', 'snappy', 'gzip', 'brotli', 'none'],
  csv: ['none', 'gzip'],
  ndjson: ['none', 'gzip'],
} as const satisfies Readonly<Record<Format, readonly string[]>>;

export type Compression = (typeof COMPRESSIONS)[Format][number];

/** The default codec of `format` (the first it accepts). */
export function defaultCompression(format: Format): Compression {
  return COMPRESSIONS[format][0];
}

/** The one format whose cells a spreadsheet may run as formulas (`--csv-formula-guard`). */
export const FORMULA_GUARD_FORMAT: Format = 'csv';

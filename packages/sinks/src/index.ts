// Re-exports only. Parquet is deliberately absent: import it from '@omnidim-stream/sinks/parquet'
// so that NDJSON/CSV users never load hyparquet-writer (the dataset loads it with import()).
export * from './csv.js';
export * from './dataset.js';
export * from './duckdb.js';
export * from './duckdb-views.js';
export * from './formats.js';
export * from './ndjson.js';
export type { ParquetCompression, ParquetWriterOptions } from './parquet.js';

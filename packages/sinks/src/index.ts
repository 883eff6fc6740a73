// Re-exports only. Parquet is deliberately absent: import it from '@omnidim-stream/sinks/parquet'
// so that NDJSON/CSV users never load hyparquet-writer (the dataset loads it with import()).

// Object storage (issue 18): the S3 SDK is loaded by openS3Store() with import(), never here.
export * from './conditional-writes.js';
export * from './csv.js';
export * from './dataset.js';
export * from './duckdb.js';
export * from './duckdb-views.js';
export * from './formats.js';
export * from './lake-file-fetch.js';
export * from './local-store.js';
export * from './ndjson.js';
export * from './object-lake-mirror.js';
export * from './object-lake-publish.js';
export * from './object-lock.js';
export {
  closePartUploadClients,
  type ObjectPartTarget,
  openPartUpload,
  type PartUpload,
} from './object-part-upload.js';
export * from './object-store.js';
export type { ParquetCompression, ParquetWriterOptions } from './parquet.js';
export { type S3Connection, s3Region } from './s3-client.js';
export { openS3Store, S3_DEFAULT_PART_SIZE, type S3StoreOptions, s3ConnectionOf } from './s3-store.js';
export * from './s3-url.js';
export { UTF8_CHUNK_BYTES, Utf8Chunks } from './utf8-chunks.js';
export { warmUpWriterCodec } from './writer-warm-up.js';

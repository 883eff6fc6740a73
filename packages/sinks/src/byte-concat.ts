/**
 * The byte-concatenators of the part-file formats (issue 21): how the commit merges a
 * partition's small part files of this run into one by copying their bytes (partition-rewrite.ts),
 * instead of reading every row back and encoding it again (~35% of an export's CPU). One entry
 * per part-file extension; an extension without one keeps the row path. Entries load their module
 * on first use, like the writers: a run that never merges loads none of them.
 */
import type { ByteConcatenator } from './byte-source.js';

/**
 * Keyed by part-file extension (StagedPartsConfig.extension). Compressed CSV has no entry: each
 * file's header sits inside its gzip member, so dropping it is no byte copy.
 */
const CONCATENATORS: Readonly<Record<string, () => Promise<ByteConcatenator>>> = {
  ndjson: async () => (await import('./text-concat.js')).concatNdjson,
  'ndjson.gz': async () => (await import('./text-concat.js')).concatNdjsonGzip,
  csv: async () => (await import('./text-concat.js')).concatCsv,
  // Row groups copied, footer and offset indexes rewritten (parquet-concat.ts).
  parquet: async () => (await import('./parquet-concat.js')).concatParquet,
};

/**
 * The byte-concatenator of part files named `*.<extension>`, or undefined (use the row path).
 *
 * @example
 * const concat = await byteConcatenatorOf('ndjson.gz'); // concatenated gzip members
 */
export async function byteConcatenatorOf(extension: string): Promise<ByteConcatenator | undefined> {
  return Object.hasOwn(CONCATENATORS, extension) ? CONCATENATORS[extension]!() : undefined;
}

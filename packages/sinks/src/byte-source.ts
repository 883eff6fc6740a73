/**
 * The shapes of the commit's byte merge (byte-concat.ts): a file's bytes read at random, the
 * function that appends to the merged file, and a format's concatenator of both. `ByteSource` and
 * the concatenator's signature are those of `parquet-concat.ts`, so its `concatParquet` is an
 * entry of the table as it is.
 */

/** Random reads of one file's bytes (`end` exclusive). */
export interface ByteSource {
  readonly size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A staged part file as a {@link ByteSource}, with the rows its writer recorded. */
export interface CountedSource extends ByteSource {
  readonly rows: number;
}

/** Appends bytes to the merged file (resolves when the destination accepted them). */
export type ByteWrite = (chunk: Uint8Array) => Promise<void>;

/**
 * Writes the concatenation of `sources` (in order) through `write`; returns the rows it holds
 * (counted from the bytes where the format allows it) and the bytes written. Throws a SinkError
 * when a source is not what the format's own writer writes (then nothing is committed).
 */
export type ByteConcatenator = (
  sources: readonly CountedSource[],
  write: ByteWrite,
) => Promise<{ rows: number; bytes: number }>;

/**
 * One Parquet file's footer as parquet-concat.ts needs it: the FileMetaData kept field for field
 * (thrift-compact.ts), and where each column chunk and each of its side structures (column index,
 * offset index, bloom filter) lies in the file, every range checked to fall between the leading
 * magic and the footer. Field ids are those of parquet.thrift
 * (https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift).
 */

import type { ByteSource } from './byte-source.js';
import { ParquetConcatError, type ParquetConcatReason } from './errors.js';
import {
  decodeThrift,
  field,
  T,
  ThriftDecodeError,
  type ThriftList,
  type ThriftStruct,
} from './thrift-compact.js';

export type { ByteSource } from './byte-source.js';

/** parquet.thrift field ids this code reads or rewrites. */
export const F = {
  file: {
    version: 1,
    schema: 2,
    numRows: 3,
    rowGroups: 4,
    keyValue: 5,
    createdBy: 6,
    columnOrders: 7,
    encryption: 8,
  },
  rowGroup: { columns: 1, numRows: 3, fileOffset: 5, ordinal: 7 },
  chunk: {
    filePath: 1,
    fileOffset: 2,
    meta: 3,
    offsetIndexOffset: 4,
    offsetIndexLength: 5,
    columnIndexOffset: 6,
    columnIndexLength: 7,
    crypto: 8,
    encryptedMeta: 9,
  },
  meta: {
    compressedSize: 7,
    dataPage: 9,
    indexPage: 10,
    dictionaryPage: 11,
    bloomOffset: 14,
    bloomLength: 15,
  },
} as const;

/** A side structure of a column chunk, stored apart from its pages. */
export interface SideBlob {
  kind: 'column-index' | 'offset-index' | 'bloom';
  start: number;
  length: number;
  chunk: ChunkLayout;
}

export interface ChunkLayout {
  /** The ColumnChunk struct (rewritten in place by the concat). */
  struct: ThriftStruct;
  meta: ThriftStruct;
  /** First byte of the chunk's pages (its dictionary page, if any) and their total length. */
  start: number;
  length: number;
}

export interface SourceFooter {
  index: number;
  meta: ThriftStruct;
  rows: bigint;
  rowGroups: ThriftStruct[];
  /** Every column chunk, in row group then column order. */
  chunks: ChunkLayout[];
  sides: SideBlob[];
}

const MAGIC = 0x31524150; // "PAR1", little-endian
const ENCRYPTED_MAGIC = 0x45524150; // "PARE": encrypted footer
/** Bytes read from the end of a file at first (footer, its length and the magic). */
const TAIL_READ = 64 * 1024;

/** Reads exactly [start, end) or fails (a short read is a truncated source, never short data). */
export async function readExactly(
  source: ByteSource,
  index: number,
  start: number,
  end: number,
): Promise<Uint8Array> {
  const bytes = await source.read(start, end);
  if (bytes.length !== end - start) {
    throw new ParquetConcatError(
      'malformed',
      index,
      `read ${bytes.length} bytes of [${start}, ${end}): truncated`,
    );
  }
  return bytes;
}

/**
 * Reads and checks the footer of `source` (the `index`-th of the sources, for messages).
 *
 * @example
 * const footer = await readFooter(source, 0); footer.rows; // 1200n
 */
export async function readFooter(source: ByteSource, index: number): Promise<SourceFooter> {
  const fail = (reason: ParquetConcatReason, detail: string): never => {
    throw new ParquetConcatError(reason, index, detail);
  };
  if (!Number.isSafeInteger(source.size) || source.size < 12)
    fail('malformed', `${source.size} bytes is no Parquet file`);
  // One read of the last TAIL_READ bytes usually holds the whole footer: on object storage, one
  // ranged GET instead of two.
  const tailStart = Math.max(0, source.size - TAIL_READ);
  const tail = await readExactly(source, index, tailStart, source.size);
  const view = new DataView(tail.buffer, tail.byteOffset + tail.length - 8, 8);
  const magic = view.getUint32(4, true);
  if (magic === ENCRYPTED_MAGIC) fail('unsupported', 'an encrypted footer');
  if (magic !== MAGIC) fail('malformed', 'no PAR1 at the end (not Parquet, or truncated)');
  const head = await readExactly(source, index, 0, 4);
  if (new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true) !== MAGIC)
    fail('malformed', 'no PAR1 at the start');
  const footerLength = view.getUint32(0, true);
  const footerStart = source.size - 8 - footerLength;
  if (footerStart < 4) fail('malformed', `footer length ${footerLength} exceeds the file`);
  const bytes =
    footerStart >= tailStart
      ? tail.subarray(footerStart - tailStart, tail.length - 8)
      : await readExactly(source, index, footerStart, source.size - 8);
  let meta: ThriftStruct;
  try {
    const decoded = decodeThrift(bytes);
    if (decoded.end !== bytes.length) fail('malformed', 'footer has bytes after its FileMetaData');
    meta = decoded.struct;
  } catch (error) {
    if (error instanceof ThriftDecodeError) {
      throw new ParquetConcatError('malformed', index, `footer: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return layoutOf(meta, index, footerStart);
}

/** An i64/i32 field as a non-negative safe number below `limit`, or a failure. */
function position(
  struct: ThriftStruct,
  id: number,
  index: number,
  what: string,
  limit: number,
): number | undefined {
  const f = field(struct, id);
  if (!f) return undefined;
  const value = typeof f.value === 'bigint' ? Number(f.value) : f.value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > limit) {
    throw new ParquetConcatError('malformed', index, `${what} ${String(f.value)} is outside the file`);
  }
  return value;
}

function structs(value: unknown, index: number, what: string): ThriftStruct[] {
  const list = value as ThriftList | undefined;
  if (list?.kind !== 'list' || list.items.some((s) => (s as ThriftStruct).kind !== 'struct')) {
    throw new ParquetConcatError('malformed', index, `${what} is not a list of structs`);
  }
  return list.items as ThriftStruct[];
}

function layoutOf(meta: ThriftStruct, index: number, footerStart: number): SourceFooter {
  if (field(meta, F.file.encryption)) throw new ParquetConcatError('unsupported', index, 'encrypted columns');
  const rowGroups = structs(field(meta, F.file.rowGroups)?.value, index, 'row_groups');
  const numRows = field(meta, F.file.numRows);
  if (numRows?.type !== T.I64) throw new ParquetConcatError('malformed', index, 'no num_rows');
  const chunks: ChunkLayout[] = [];
  const sides: SideBlob[] = [];
  let rows = 0n;
  for (const group of rowGroups) {
    const groupRows = field(group, F.rowGroup.numRows)?.value;
    if (typeof groupRows !== 'bigint')
      throw new ParquetConcatError('malformed', index, 'a row group without num_rows');
    rows += groupRows;
    for (const chunk of structs(field(group, F.rowGroup.columns)?.value, index, 'columns')) {
      const laid = chunkLayout(chunk, index, footerStart);
      chunks.push(laid);
      sides.push(...sidesOf(laid, index, footerStart));
    }
  }
  if (rows !== numRows.value) {
    throw new ParquetConcatError('malformed', index, `num_rows ${numRows.value} ≠ ${rows} in its row groups`);
  }
  return { index, meta, rows, rowGroups, chunks, sides };
}

function chunkLayout(struct: ThriftStruct, index: number, footerStart: number): ChunkLayout {
  if (field(struct, F.chunk.filePath))
    throw new ParquetConcatError('unsupported', index, 'a column chunk in another file');
  if (field(struct, F.chunk.crypto) || field(struct, F.chunk.encryptedMeta)) {
    throw new ParquetConcatError('unsupported', index, 'an encrypted column chunk');
  }
  const meta = field(struct, F.chunk.meta)?.value as ThriftStruct | undefined;
  if (meta?.kind !== 'struct')
    throw new ParquetConcatError('malformed', index, 'a column chunk without metadata');
  const at = (id: number, what: string) => position(meta, id, index, what, footerStart);
  const data = at(F.meta.dataPage, 'data_page_offset');
  const length = at(F.meta.compressedSize, 'total_compressed_size');
  if (data === undefined || length === undefined) {
    throw new ParquetConcatError('malformed', index, 'a column chunk without data_page_offset or size');
  }
  const starts = [
    data,
    at(F.meta.dictionaryPage, 'dictionary_page_offset'),
    at(F.meta.indexPage, 'index_page_offset'),
  ];
  const start = Math.min(...starts.filter((s): s is number => s !== undefined));
  if (start < 4 || start + length > footerStart) {
    throw new ParquetConcatError(
      'malformed',
      index,
      `column chunk [${start}, ${start + length}) outside the data`,
    );
  }
  return { struct, meta, start, length };
}

function sidesOf(chunk: ChunkLayout, index: number, footerStart: number): SideBlob[] {
  const found: SideBlob[] = [];
  const add = (kind: SideBlob['kind'], holder: ThriftStruct, offsetId: number, lengthId: number) => {
    const start = position(holder, offsetId, index, `${kind} offset`, footerStart);
    const length = position(holder, lengthId, index, `${kind} length`, footerStart);
    if (start === undefined) return;
    // A bloom filter without its length cannot be copied (its size is in its own header).
    if (length === undefined)
      throw new ParquetConcatError('unsupported', index, `a ${kind} without its length`);
    if (start < 4 || start + length > footerStart) {
      throw new ParquetConcatError(
        'malformed',
        index,
        `${kind} [${start}, ${start + length}) outside the data`,
      );
    }
    found.push({ kind, start, length, chunk });
  };
  add('column-index', chunk.struct, F.chunk.columnIndexOffset, F.chunk.columnIndexLength);
  add('offset-index', chunk.struct, F.chunk.offsetIndexOffset, F.chunk.offsetIndexLength);
  add('bloom', chunk.meta, F.meta.bloomOffset, F.meta.bloomLength);
  return found;
}

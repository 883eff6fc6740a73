/**
 * Merges Parquet files by copying their row groups (issue 21): the commit's merge of a
 * partition's small part files used to decode every row and encode it again (~35% of an export's
 * CPU); the pages are already encoded and compressed (compression is per column chunk), so their
 * bytes are copied as they are and only the footer is rewritten. Layout of the output:
 *
 *   PAR1 | every source's column chunks, in order | column indexes, offset indexes, bloom
 *   filters | FileMetaData | its length | PAR1
 *
 * What moves is every absolute offset: in the footer (ColumnChunk.file_offset, data/dictionary/
 * index page offsets, bloom filter, column/offset index offsets, RowGroup.file_offset) and in
 * each OffsetIndex (PageLocation.offset), which is decoded, shifted and encoded again (its length
 * may change, so the footer takes the new one). A ColumnIndex or bloom filter holds no offset and
 * is copied as it is. The footer is rewritten field for field (thrift-compact.ts), so fields this
 * code does not know survive.
 *
 * Memory: the sources' footers, and one read of at most {@link MAX_READ} bytes (or one column
 * chunk, if larger) at a time; `write` is awaited before the next read.
 */
import { InvalidOptionError } from '@omnidim-stream/core';
import { asSinkError, ParquetConcatError } from './errors.js';
import {
  type ByteSource,
  type ChunkLayout,
  F,
  readExactly,
  readFooter,
  type SideBlob,
  type SourceFooter,
} from './parquet-footer.js';
import {
  decodeThrift,
  encodeThrift,
  field,
  setField,
  T,
  type ThriftField,
  type ThriftList,
  type ThriftStruct,
} from './thrift-compact.js';

export type { ByteSource } from './parquet-footer.js';

/** Reads are coalesced up to this many bytes (ranged GETs on S3: fewer requests, bounded memory). */
const MAX_READ = 8 * 1024 * 1024;

/**
 * Key/value pairs that may differ between sources (provenance, not meaning): the merged file
 * keeps the first source's. Any other key must agree (`omnidim.table`, `omnidim.schema_version`,
 * `omnidim.time_zone`: rows of another table, schema or zone must not be labelled as these).
 */
const PROVENANCE_KEYS = new Set(['omnidim.run_id']);

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // PAR1

/** The output: counts bytes and knows its position (absolute offsets are computed from it). */
class Output {
  position = 0;
  constructor(private readonly sink: (chunk: Uint8Array) => Promise<void>) {}
  async write(bytes: Uint8Array): Promise<void> {
    try {
      await this.sink(bytes);
    } catch (error) {
      throw asSinkError(error, 'Parquet concat: writing the output');
    }
    this.position += bytes.length;
  }
}

/**
 * Writes one Parquet file holding every row group of `sources`, in order, through `write`
 * (awaited: backpressure), copying each column chunk's bytes verbatim. Resolves with the rows
 * and bytes written. Fails with a {@link ParquetConcatError} (code `SINK`; `reason`
 * `schema-mismatch`, `unsupported` or `malformed`, and the `source` index) when the sources'
 * schemas differ or a source is not a Parquet file this can copy; every footer is read and
 * checked before the first byte is written. On any failure the bytes written so far are not a
 * Parquet file (no footer): the caller discards them.
 *
 * @example
 * const out = createWriteStream('merged.parquet');
 * await concatParquet([a, b], async (chunk) => { if (!out.write(chunk)) await once(out, 'drain'); });
 */
export async function concatParquet(
  sources: readonly ByteSource[],
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<{ rows: number; bytes: number }> {
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new InvalidOptionError('sources', 'at least one Parquet file', sources);
  }
  const footers: SourceFooter[] = [];
  for (let i = 0; i < sources.length; i++) footers.push(await readFooter(sources[i]!, i));
  checkCompatible(footers);
  const out = new Output(write);
  await out.write(MAGIC);
  for (const footer of footers) await copyChunks(sources[footer.index]!, footer, out);
  for (const footer of footers) await copySides(sources[footer.index]!, footer, out);
  const meta = mergedMetaData(footers);
  const encoded = encodeThrift(meta);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, encoded.length, true);
  tail.set(MAGIC, 4);
  await out.write(encoded);
  await out.write(tail);
  const rows = footers.reduce((sum, f) => sum + f.rows, 0n);
  return { rows: Number(rows), bytes: out.position };
}

/** The encoded bytes of a footer field (or none): fields compare by their exact encoding. */
function fieldBytes(meta: ThriftStruct, id: number, drop?: (item: ThriftStruct) => boolean): string {
  const f = field(meta, id);
  if (!f) return '';
  let value = f.value;
  if (drop && (value as ThriftList).kind === 'list') {
    const list = value as ThriftList;
    value = { ...list, items: list.items.filter((item) => !drop(item as ThriftStruct)) };
  }
  return Buffer.from(encodeThrift({ kind: 'struct', fields: [{ ...f, value }] })).toString('hex');
}

function isProvenance(pair: ThriftStruct): boolean {
  const key = field(pair, 1)?.value;
  return key instanceof Uint8Array && PROVENANCE_KEYS.has(Buffer.from(key).toString('utf8'));
}

/**
 * Every source must have the first one's schema, version, column orders and metadata. The
 * writer (`created_by`) may differ: every chunk says how it is encoded, and a run resumed after
 * an upgrade holds part files of two versions (the merged file names the first).
 */
function checkCompatible(footers: readonly SourceFooter[]): void {
  const first = footers[0]!.meta;
  const compared = [
    ['schema', F.file.schema],
    ['format version', F.file.version],
    ['column orders', F.file.columnOrders],
    ['key/value metadata', F.file.keyValue],
  ] as const;
  for (const footer of footers.slice(1)) {
    for (const [what, id] of compared) {
      const drop = id === F.file.keyValue ? isProvenance : undefined;
      if (fieldBytes(footer.meta, id, drop) !== fieldBytes(first, id, drop)) {
        throw new ParquetConcatError('schema-mismatch', footer.index, `its ${what} differs from source 0's`);
      }
    }
  }
}

/** Groups ranges that follow each other in the file into reads of at most MAX_READ bytes. */
function coalesce<R extends { start: number; length: number }>(ranges: readonly R[]): R[][] {
  const groups: R[][] = [];
  let current: R[] = [];
  let start = 0;
  let end = 0;
  for (const range of ranges) {
    const fits = current.length > 0 && range.start === end && range.start + range.length - start <= MAX_READ;
    if (!fits) {
      if (current.length > 0) groups.push(current);
      current = [];
      start = range.start;
    }
    current.push(range);
    end = range.start + range.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Reads each group of ranges at once and yields each range's bytes with it. */
async function* readGroups<R extends { start: number; length: number }>(
  source: ByteSource,
  index: number,
  ranges: readonly R[],
): AsyncGenerator<[R, Uint8Array]> {
  for (const group of coalesce(ranges)) {
    const start = group[0]!.start;
    const last = group[group.length - 1]!;
    let bytes: Uint8Array;
    try {
      bytes = await readExactly(source, index, start, last.start + last.length);
    } catch (error) {
      throw asSinkError(error, `Parquet concat: reading source ${index}`);
    }
    for (const range of group)
      yield [range, bytes.subarray(range.start - start, range.start - start + range.length)];
  }
}

/** How far each chunk moved: output position of its first byte minus its position in the source. */
const shifts = new WeakMap<ChunkLayout, number>();

/** Copies a source's column chunks verbatim and shifts the offsets of their pages. */
async function copyChunks(source: ByteSource, footer: SourceFooter, out: Output): Promise<void> {
  for await (const [chunk, bytes] of readGroups(source, footer.index, footer.chunks)) {
    const shift = out.position - chunk.start;
    shifts.set(chunk, shift);
    await out.write(bytes);
    shiftI64(chunk.meta, F.meta.dataPage, shift);
    shiftI64(chunk.meta, F.meta.dictionaryPage, shift);
    shiftI64(chunk.meta, F.meta.indexPage, shift);
    // file_offset is required by the spec but writers disagree on what it points at (chunk
    // start, or the metadata after it in old parquet-mr): it moves with its chunk unless unset (0).
    if (field(chunk.struct, F.chunk.fileOffset)?.value !== 0n)
      shiftI64(chunk.struct, F.chunk.fileOffset, shift);
  }
  for (const group of footer.rowGroups) {
    const first = (field(group, F.rowGroup.columns)!.value as ThriftList).items[0] as
      | ThriftStruct
      | undefined;
    const chunk = first && footer.chunks.find((c) => c.struct === first);
    if (chunk) shiftI64(group, F.rowGroup.fileOffset, shifts.get(chunk)!);
  }
}

/** Copies a source's column indexes and bloom filters, and its offset indexes shifted. */
async function copySides(source: ByteSource, footer: SourceFooter, out: Output): Promise<void> {
  const sides = [...footer.sides].sort((a, b) => a.start - b.start);
  for await (const [side, bytes] of readGroups(source, footer.index, sides)) {
    const shift = shifts.get(side.chunk)!;
    const written = side.kind === 'offset-index' ? shiftedOffsetIndex(bytes, shift, footer.index) : bytes;
    const [holder, offsetId, lengthId] = sideFields(side);
    setField(holder, offsetId, T.I64, BigInt(out.position));
    setField(holder, lengthId, T.I32, written.length);
    await out.write(written);
  }
}

function sideFields(side: SideBlob): [ThriftStruct, number, number] {
  if (side.kind === 'column-index')
    return [side.chunk.struct, F.chunk.columnIndexOffset, F.chunk.columnIndexLength];
  if (side.kind === 'offset-index')
    return [side.chunk.struct, F.chunk.offsetIndexOffset, F.chunk.offsetIndexLength];
  return [side.chunk.meta, F.meta.bloomOffset, F.meta.bloomLength];
}

/** An OffsetIndex with every PageLocation.offset (field 1 of each location) moved by `shift`. */
function shiftedOffsetIndex(bytes: Uint8Array, shift: number, index: number): Uint8Array {
  let decoded: ReturnType<typeof decodeThrift>;
  try {
    decoded = decodeThrift(bytes);
  } catch (error) {
    throw new ParquetConcatError('malformed', index, `offset index: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (decoded.end !== bytes.length)
    throw new ParquetConcatError('malformed', index, 'offset index length is wrong');
  const locations = field(decoded.struct, 1)?.value as ThriftList | undefined;
  if (locations?.kind !== 'list')
    throw new ParquetConcatError('malformed', index, 'offset index without pages');
  for (const location of locations.items) shiftI64(location as ThriftStruct, 1, shift);
  return encodeThrift(decoded.struct);
}

function shiftI64(struct: ThriftStruct, id: number, shift: number): void {
  const f = field(struct, id);
  if (f && typeof f.value === 'bigint') f.value += BigInt(shift);
}

/**
 * The first source's FileMetaData with every source's row groups (renumbered where they carry
 * an ordinal) and their total row count; every other field is the first source's (checked equal).
 */
function mergedMetaData(footers: readonly SourceFooter[]): ThriftStruct {
  const rowGroups = footers.flatMap((f) => f.rowGroups);
  rowGroups.forEach((group, i) => {
    if (!field(group, F.rowGroup.ordinal)) return;
    // RowGroup.ordinal is an i16.
    if (i > 0x7fff) throw new ParquetConcatError('unsupported', 0, `row group ${i} exceeds the i16 ordinal`);
    setField(group, F.rowGroup.ordinal, T.I16, i);
  });
  const rows = footers.reduce((sum, f) => sum + f.rows, 0n);
  const fields: ThriftField[] = footers[0]!.meta.fields.map((f) => ({ ...f }));
  const merged: ThriftStruct = { kind: 'struct', fields };
  setField(merged, F.file.numRows, T.I64, rows);
  setField(merged, F.file.rowGroups, T.LIST, { kind: 'list', elemType: T.STRUCT, items: rowGroups });
  return merged;
}

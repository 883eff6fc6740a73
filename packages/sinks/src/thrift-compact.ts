/**
 * A lossless Thrift Compact Protocol codec, for rewriting a Parquet footer (parquet-concat.ts)
 * without losing a field. hyparquet's reader (`src/thrift.js`) is built for reading: it folds
 * i16/i32/byte into `number`, forgets a list's element type when the list is empty, and
 * hyparquet-writer's writer infers the wire type back from the JS value (an integral double
 * becomes an i32, a RowGroup `ordinal` i16 an i32). Here every field keeps its wire type, so
 * `encodeThrift(decodeThrift(bytes))` is the same bytes for any canonical encoding (ours are:
 * parquet-concat.test.ts checks it on our files), and a field this code does not know is carried
 * through as it came.
 *
 * Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */

/** Compact Protocol wire types (MAP, SET and UUID never occur in parquet.thrift). */
export const T = {
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  STRUCT: 12,
} as const;

/** A value as it was on the wire: i64 as bigint, binary as bytes, a bool list's items as their byte. */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftStruct;

export interface ThriftField {
  id: number;
  /** The wire type (T.TRUE or T.FALSE for a boolean field: the value is in the type). */
  type: number;
  value: ThriftValue;
}

export interface ThriftStruct {
  kind: 'struct';
  fields: ThriftField[];
}

export interface ThriftList {
  kind: 'list';
  elemType: number;
  items: ThriftValue[];
}

/** Thrown on bytes that are not a well-formed Compact Protocol struct (callers wrap it). */
export class ThriftDecodeError extends Error {}

/** Nesting deeper than this is refused (a FileMetaData nests 6 deep): bounds the recursion. */
const MAX_DEPTH = 32;

class Reader {
  offset = 0;
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  byte(): number {
    if (this.offset >= this.bytes.length) throw new ThriftDecodeError('thrift data ends early');
    return this.bytes[this.offset++]!;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
    throw new ThriftDecodeError('thrift varint longer than 10 bytes');
  }
  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }
  small(): number {
    const v = this.zigzag();
    if (v < -(2n ** 31n) || v >= 2n ** 31n) throw new ThriftDecodeError('thrift i32 out of range');
    return Number(v);
  }
}

/**
 * Decodes one struct from the start of `bytes`; `end` is where it stopped.
 *
 * @example
 * decodeThrift(Uint8Array.of(0x15, 0x04, 0x00)).struct.fields[0]; // { id: 1, type: 5, value: 2 }
 */
export function decodeThrift(bytes: Uint8Array): { struct: ThriftStruct; end: number } {
  const reader = new Reader(bytes);
  const struct = readStruct(reader, 0);
  return { struct, end: reader.offset };
}

function readStruct(r: Reader, depth: number): ThriftStruct {
  if (depth > MAX_DEPTH) throw new ThriftDecodeError('thrift nesting too deep');
  const fields: ThriftField[] = [];
  let id = 0;
  for (;;) {
    const head = r.byte();
    const type = head & 0x0f;
    if (type === 0) return { kind: 'struct', fields };
    const delta = head >> 4;
    id = delta ? id + delta : r.small();
    const value = type === T.TRUE ? true : type === T.FALSE ? false : readValue(r, type, depth);
    fields.push({ id, type, value });
  }
}

function readValue(r: Reader, type: number, depth: number): ThriftValue {
  switch (type) {
    case T.BYTE: {
      const b = r.byte();
      return b > 127 ? b - 256 : b;
    }
    case T.I16:
    case T.I32:
      return r.small();
    case T.I64:
      return r.zigzag();
    case T.DOUBLE: {
      if (r.offset + 8 > r.bytes.length) throw new ThriftDecodeError('thrift data ends early');
      const value = r.view.getFloat64(r.offset, true);
      r.offset += 8;
      return value;
    }
    case T.BINARY: {
      const length = Number(r.varint());
      if (r.offset + length > r.bytes.length) throw new ThriftDecodeError('thrift binary runs past the end');
      r.offset += length;
      return r.bytes.subarray(r.offset - length, r.offset);
    }
    case T.LIST:
      return readList(r, depth);
    case T.STRUCT:
      return readStruct(r, depth + 1);
    default:
      throw new ThriftDecodeError(`thrift wire type ${type} is not used by Parquet`);
  }
}

function readList(r: Reader, depth: number): ThriftList {
  const head = r.byte();
  const elemType = head & 0x0f;
  let size = head >> 4;
  if (size === 15) size = Number(r.varint());
  // Every element takes at least one byte: a larger count is a corrupt header, not an allocation.
  if (size > r.bytes.length - r.offset) throw new ThriftDecodeError('thrift list longer than its data');
  const items: ThriftValue[] = [];
  // A bool list holds one byte per element (1 true; 0 or 2 false, by writer): kept as that byte.
  const boolList = elemType === T.TRUE || elemType === T.FALSE;
  for (let i = 0; i < size; i++) items.push(boolList ? r.byte() : readValue(r, elemType, depth + 1));
  return { kind: 'list', elemType, items };
}

/** A growable byte buffer for the encoder. */
class Out {
  bytes = new Uint8Array(1024);
  length = 0;
  push(b: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = b;
  }
  append(data: Uint8Array): void {
    if (this.length + data.length > this.bytes.length) this.grow(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
  grow(need: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + need));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
  varint(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.push(Number(v));
  }
  zigzag(value: bigint | number): void {
    const v = BigInt(value);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
}

/**
 * Encodes a struct (field headers in the short form where the id delta allows it, as every
 * Parquet writer we know does).
 *
 * @example
 * encodeThrift({ kind: 'struct', fields: [{ id: 1, type: 5, value: 2 }] }); // Uint8Array [0x15, 0x04, 0x00]
 */
export function encodeThrift(struct: ThriftStruct): Uint8Array {
  const out = new Out();
  writeStruct(out, struct);
  return out.bytes.slice(0, out.length);
}

function writeStruct(out: Out, struct: ThriftStruct): void {
  let last = 0;
  for (const field of struct.fields) {
    const delta = field.id - last;
    if (delta > 0 && delta <= 15) out.push((delta << 4) | field.type);
    else {
      out.push(field.type);
      out.zigzag(field.id);
    }
    last = field.id;
    if (field.type !== T.TRUE && field.type !== T.FALSE) writeValue(out, field.type, field.value);
  }
  out.push(0);
}

function writeValue(out: Out, type: number, value: ThriftValue): void {
  switch (type) {
    case T.BYTE:
      out.push((value as number) & 0xff);
      return;
    case T.I16:
    case T.I32:
    case T.I64:
      out.zigzag(value as number | bigint);
      return;
    case T.DOUBLE: {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, value as number, true);
      out.append(b);
      return;
    }
    case T.BINARY:
      out.varint(BigInt((value as Uint8Array).length));
      out.append(value as Uint8Array);
      return;
    case T.LIST:
      writeList(out, value as ThriftList);
      return;
    case T.STRUCT:
      writeStruct(out, value as ThriftStruct);
      return;
    default:
      throw new ThriftDecodeError(`thrift wire type ${type} is not used by Parquet`);
  }
}

function writeList(out: Out, list: ThriftList): void {
  const size = list.items.length;
  if (size < 15) out.push((size << 4) | list.elemType);
  else {
    out.push(0xf0 | list.elemType);
    out.varint(BigInt(size));
  }
  const boolList = list.elemType === T.TRUE || list.elemType === T.FALSE;
  for (const item of list.items) {
    if (boolList) out.push(item as number);
    else writeValue(out, list.elemType, item);
  }
}

/** The field `id` of `struct`, or undefined. */
export function field(struct: ThriftStruct, id: number): ThriftField | undefined {
  return struct.fields.find((f) => f.id === id);
}

/** Sets field `id` (keeping the fields in id order, which the encoder's deltas need). */
export function setField(struct: ThriftStruct, id: number, type: number, value: ThriftValue): void {
  const existing = field(struct, id);
  if (existing) {
    existing.type = type;
    existing.value = value;
    return;
  }
  struct.fields.push({ id, type, value });
  struct.fields.sort((a, b) => a.id - b.id);
}

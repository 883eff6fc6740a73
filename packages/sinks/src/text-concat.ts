/**
 * Byte-concatenators of the text part files (byte-concat.ts): NDJSON lines and CSV records are
 * self-delimiting, so files of one table written by this codebase's writers concatenate into one
 * file of all their rows, in order. Each is checked against what our writers write before its
 * bytes are kept: NDJSON ends each row with a newline (JSON strings escape theirs, so newlines
 * count the rows); gzip members concatenate into one valid gzip stream (RFC 1952 §2.2, read by
 * DuckDB's `read_json` and Node's gunzip whole); every CSV file starts with the same header line,
 * which is kept once.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ByteSource, ByteWrite, CountedSource } from './byte-source.js';
import { SinkError } from './errors.js';

/** Bytes per read of a source: one ranged GET for a streamed part file. */
const READ_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;
/** A header line longer than this is no header our CSV writer wrote. */
const MAX_HEADER = 64 * 1024;

/** The bytes of `source` from `start` on, in reads of at most READ_BYTES. */
async function* chunksOf(source: ByteSource, start = 0): AsyncGenerator<Uint8Array> {
  for (let at = start; at < source.size; at += READ_BYTES) {
    const chunk = await source.read(at, Math.min(source.size, at + READ_BYTES));
    if (chunk.length !== Math.min(source.size, at + READ_BYTES) - at) {
      throw new SinkError('A part file ended early while it was merged; nothing was committed');
    }
    yield chunk;
  }
}

function newlinesIn(chunk: Uint8Array): number {
  let count = 0;
  for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/** Throws unless a text source's last byte is a newline (a file cut mid-row would join two rows). */
function checkEndsLine(last: number | undefined): void {
  if (last !== undefined && last !== NEWLINE) {
    throw new SinkError('A part file does not end with a newline; nothing was committed');
  }
}

/**
 * Concatenates NDJSON part files; the rows are the newlines copied.
 *
 * @example
 * const { rows } = await concatNdjson(sources, (chunk) => write(chunk));
 */
export async function concatNdjson(
  sources: readonly CountedSource[],
  write: ByteWrite,
): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  for (const source of sources) {
    let last: number | undefined;
    for await (const chunk of chunksOf(source)) {
      rows += newlinesIn(chunk);
      bytes += chunk.length;
      last = chunk[chunk.length - 1];
      await write(chunk);
    }
    checkEndsLine(last);
  }
  return { rows, bytes };
}

/**
 * Concatenates gzip-compressed NDJSON part files member after member; each member is gunzipped on
 * the side to count its rows and check that it is whole and ends with a newline.
 *
 * @example
 * const { rows } = await concatNdjsonGzip(sources, (chunk) => write(chunk));
 */
export async function concatNdjsonGzip(
  sources: readonly CountedSource[],
  write: ByteWrite,
): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  for (const source of sources) {
    let last: number | undefined;
    const counter = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        rows += newlinesIn(chunk);
        if (chunk.length > 0) last = chunk[chunk.length - 1];
        callback();
      },
    });
    const copied = async function* () {
      for await (const chunk of chunksOf(source)) {
        bytes += chunk.length;
        await write(chunk);
        yield chunk;
      }
    };
    const gunzip = createGunzip();
    await pipeline(Readable.from(copied()), gunzip, counter).catch((error: unknown) => {
      throw error instanceof SinkError
        ? error
        : new SinkError('A gzip part file does not decompress; nothing was committed', { cause: error });
    });
    // Node's gunzip ends quietly at bytes after a member that are no gzip header (zeros): copied
    // on, they would hide every later source's members from readers (found in the issue 21 review).
    if (gunzip.bytesWritten !== source.size) {
      throw new SinkError(
        `A gzip part file holds ${source.size - gunzip.bytesWritten} bytes after its last member; nothing was committed`,
      );
    }
    checkEndsLine(last);
  }
  return { rows, bytes };
}

/** The header line (newline included) a CSV part file starts with. */
async function headerOf(source: ByteSource): Promise<Uint8Array> {
  const head = await source.read(0, Math.min(source.size, MAX_HEADER));
  const end = head.indexOf(NEWLINE);
  if (end === -1) throw new SinkError('A CSV part file has no header line; nothing was committed');
  return head.subarray(0, end + 1);
}

/**
 * Concatenates CSV part files, keeping the first file's header line only: every other file must
 * start with exactly the same bytes (else the columns could differ: nothing is merged). The rows
 * are the sources' recorded rows (a quoted cell may hold newlines: they do not count records).
 *
 * @example
 * const { rows } = await concatCsv(sources, (chunk) => write(chunk));
 */
export async function concatCsv(
  sources: readonly CountedSource[],
  write: ByteWrite,
): Promise<{ rows: number; bytes: number }> {
  let header: Uint8Array | undefined;
  let rows = 0;
  let bytes = 0;
  for (const source of sources) {
    // A file with no record may hold no header either: it adds nothing.
    if (source.size === 0 && source.rows === 0) continue;
    const own = await headerOf(source);
    if (header !== undefined && Buffer.compare(own, header) !== 0) {
      throw new SinkError('CSV part files of one table have different headers; nothing was committed');
    }
    let last: number | undefined;
    for await (const chunk of chunksOf(source, header === undefined ? 0 : own.length)) {
      bytes += chunk.length;
      last = chunk[chunk.length - 1];
      await write(chunk);
    }
    checkEndsLine(last);
    header ??= own;
    rows += source.rows;
  }
  return { rows, bytes };
}

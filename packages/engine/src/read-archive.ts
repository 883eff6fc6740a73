import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Assembler from 'stream-json/assembler.js';
import parser, { type Token } from 'stream-json/parser.js';
import { InputError } from './errors.js';

/** What {@link readCallLogArchive} found, for the summary. */
export interface ArchiveStats {
  /** Records yielded (call logs, or values the transform will quarantine). */
  records: number;
  /** API page objects (`{call_log_data, total_records}`) unwrapped. */
  pages: number;
  /** Whether the file was gzip-compressed (detected from its magic bytes, not its name). */
  gzip: boolean;
}

/** Options of {@link readCallLogArchive}. */
export interface ReadArchiveOptions {
  signal?: AbortSignal;
  /** Filled in while reading. */
  stats?: ArchiveStats;
  /** Safety bound on records; exceeding it throws. Default 1e9. */
  maxRecords?: number;
}

/**
 * Streams the call logs out of a raw archive, whatever its layout, with memory bounded by one
 * call log (stream-json tokens, one {@link Assembler} per record):
 * - NDJSON, one call log per line (what `export --raw` writes);
 * - a JSON array of call logs;
 * - a JSON array of API pages, or a single page object, or pages one after another
 *   (`{"call_log_data": [...], "total_records": N}`; a page's items are streamed one by one);
 * each optionally gzip-compressed. A value that is not an object is yielded as is: the transform
 * quarantines it with a reason rather than this reader dropping it.
 *
 * @example
 * ```ts
 * for await (const log of readCallLogArchive('raw/run.ndjson.gz')) console.log(log);
 * ```
 */
export async function* readCallLogArchive(
  path: string,
  options: ReadArchiveOptions = {},
): AsyncGenerator<unknown> {
  const stats = options.stats ?? { records: 0, pages: 0, gzip: false };
  const maxRecords = options.maxRecords ?? 1e9;
  stats.gzip = await isGzip(path);
  // jsonStreaming accepts NDJSON and concatenated values; packed tokens only (no chunk tokens):
  // the Assembler reads only packed ones, and fewer tokens parse faster.
  const tokens = parser.asStream({ jsonStreaming: true, streamValues: false });
  const records = new TokensToRecords();
  const stages: NodeJS.ReadableStream[] = [createReadStream(path, { highWaterMark: 256 * 1024 })];
  if (stats.gzip) stages.push(createGunzip());
  let failure: unknown;
  const source = (pipeline as (...streams: unknown[]) => Readable)(
    ...stages,
    tokens,
    records,
    (error: unknown) => {
      if (error) failure = error;
    },
  );
  const onAbort = () => source.destroy(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const { record } of source as AsyncIterable<{ record: unknown }>) {
      stats.records += 1;
      stats.pages = records.engine.pages;
      if (stats.records > maxRecords) throw new InputError(`more than ${maxRecords} records in ${path}`);
      yield record;
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw asInputError(error ?? failure, path);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    source.destroy();
  }
}

/**
 * The token-level engine of {@link readCallLogArchive}: a synchronous state machine from
 * stream-json tokens to records. Pure (no I/O), so it is unit-testable with hand-made tokens;
 * synchronous because a 400 MB file is ~50 million tokens and a promise per token would cost
 * more than the parsing.
 *
 * A top-level object is a candidate record; a top-level array's elements are candidates. A
 * candidate that turns out to have a `call_log_data` array is an API page: that array's items
 * are assembled one at a time and emitted, and the page itself is dropped.
 */
export class RecordAssembler {
  /** API page objects unwrapped so far. */
  pages = 0;
  #listDepth = 0;
  #candidate: Assembler | null = null;
  #isPage = false;
  #inItems = false;
  #item: Assembler | null = null;
  #lastKey: unknown = null;

  /** Feeds one token; calls `emit` for each record it completes. */
  push(token: Token, emit: (record: unknown) => void): void {
    if (this.#inItems) {
      if (this.#item === null) {
        if (token.name === 'endArray') {
          this.#inItems = false;
          return;
        }
        this.#item = new Assembler();
      }
      this.#item.consume(token);
      if (this.#item.done) {
        emit(this.#item.current);
        this.#item = null;
      }
      return;
    }
    const candidate = this.#candidate;
    if (candidate !== null) {
      // A page's `call_log_data`, directly in the candidate: stream its items instead of assembling it.
      if (token.name === 'startArray' && candidate.depth === 1 && this.#lastKey === 'call_log_data') {
        this.#isPage = true;
        this.#inItems = true;
        candidate.consume({ name: 'nullValue', value: null });
        this.#lastKey = null;
        return;
      }
      this.#lastKey = token.name === 'keyValue' && candidate.depth === 1 ? token.value : null;
      candidate.consume(token);
      if (candidate.done) {
        if (this.#isPage) this.pages += 1;
        else emit(candidate.current);
        this.#candidate = null;
        this.#isPage = false;
      }
      return;
    }
    // Not inside a candidate: at the top level or inside a top-level array.
    if (token.name === 'startArray' && this.#listDepth === 0) {
      this.#listDepth = 1;
      return;
    }
    if (token.name === 'endArray' && this.#listDepth > 0) {
      this.#listDepth -= 1;
      return;
    }
    // An object is a candidate; a scalar or nested array where a call log was expected is
    // assembled and emitted too, so the transform quarantines it with a reason.
    const next = new Assembler();
    next.consume(token);
    if (next.done) emit(next.current);
    else this.#candidate = next;
  }

  /** Throws when the input ended in the middle of a value. */
  end(): void {
    if (this.#candidate !== null || this.#inItems || this.#listDepth > 0) {
      throw new InputError('the JSON input ends in the middle of a value');
    }
  }
}

/**
 * Object-mode Transform adapter around {@link RecordAssembler}: tokens in, records out, each in a
 * box, since a `null` record pushed as is would end the stream and silently drop every record
 * after it (found with issue 19: `convert` of an archive holding a `null` call log).
 */
class TokensToRecords extends Transform {
  readonly engine = new RecordAssembler();
  constructor() {
    super({ objectMode: true, highWaterMark: 16 });
  }
  override _transform(token: Token, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.engine.push(token, (record) => this.push({ record }));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
  override _flush(callback: TransformCallback): void {
    try {
      this.engine.end();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

async function isGzip(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InputError(`cannot read input ${path} (${reason})`, { cause: error });
  }
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function asInputError(error: unknown, path: string): unknown {
  if (error instanceof InputError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new InputError(`${path} is not valid gzip: ${(error as Error).message}`, { cause: error });
  }
  if (error instanceof Error && !('code' in error)) {
    // stream-json's parse errors are plain Errors with a position in the message.
    return new InputError(`${path} is not valid JSON/NDJSON: ${error.message}`, { cause: error });
  }
  return error;
}

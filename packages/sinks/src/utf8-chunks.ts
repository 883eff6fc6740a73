/**
 * Text → UTF-8 chunks, written straight into chunk-sized Buffers with `buf.write()`.
 *
 * Why not `+=` into one string and one `TextEncoder.encode()` per chunk (what the NDJSON writer
 * did): a string built by thousands of appends is a deep rope, and flattening it is what cost the
 * time, about 10× more than writing the same pieces one by one (issue 21; `bench/sink-cost.ts`:
 * the NDJSON sink went from 268 to 129–144 µs per call, 20k calls). Writing each piece as it comes never builds
 * the rope. A full chunk is handed on as is (the file write and the hash keep it), and the next
 * piece goes into a fresh Buffer: one allocation per chunk, not one per call or per row.
 */

/** Default chunk size: large enough that a write hop per chunk is noise, small per open file. */
export const UTF8_CHUNK_BYTES = 64 * 1024;

/** Most UTF-8 bytes one UTF-16 code unit can take (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Collects text as UTF-8 in chunks of at most `chunkBytes` (a longer single piece is its own
 * chunk). Pieces must be well-formed text: a lone surrogate is written as U+FFFD, like every
 * Node encoder does.
 *
 * @example
 * const chunks = new Utf8Chunks();
 * const full: Buffer[] = [];
 * chunks.append('{"id":1}\n', full); // full stays [] until a chunk fills
 * chunks.flush(full); // full = [<Buffer 7b 22 69 64 22 3a 31 7d 0a>]
 */
export class Utf8Chunks {
  readonly #chunkBytes: number;
  #buffer: Buffer | null = null;
  #used = 0;

  constructor(chunkBytes: number = UTF8_CHUNK_BYTES) {
    this.#chunkBytes = chunkBytes;
  }

  /** Bytes held, not yet handed on. */
  get pendingBytes(): number {
    return this.#used;
  }

  /** Appends `text`; pushes onto `full` each chunk that filled up. */
  append(text: string, full: Buffer[]): void {
    const worst = text.length * MAX_BYTES_PER_UNIT;
    if (this.#buffer !== null && this.#used + worst > this.#buffer.length) this.flush(full);
    if (worst > this.#chunkBytes) {
      full.push(Buffer.from(text, 'utf8'));
      return;
    }
    // Allocated on first use: a writer that never gets a row holds no chunk.
    this.#buffer ??= Buffer.allocUnsafeSlow(this.#chunkBytes);
    this.#used += this.#buffer.write(text, this.#used, 'utf8');
  }

  /** Pushes what is held (if anything) onto `full`; the next append starts a fresh chunk. */
  flush(full: Buffer[]): void {
    if (this.#buffer === null || this.#used === 0) return;
    full.push(this.#buffer.subarray(0, this.#used));
    this.#buffer = null;
    this.#used = 0;
  }
}

import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Counts and hashes (sha256) the bytes that reach the destination: the dataset manifest
 * records exactly what is on disk, so the meter sits after compression, right before the file.
 */
export class ByteMeter extends Transform {
  bytes = 0;
  readonly #hash: Hash = createHash('sha256');
  #digest: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  /**
   * Hex sha256 of the bytes passed through so far, from a copy of the running hash: the meter
   * keeps hashing (a part file that stays open across a checkpoint, staged-parts.ts).
   */
  prefixSha256(): string {
    return this.#hash.copy().digest('hex');
  }

  /** Hex sha256 of every byte passed through; call only after the stream has finished. */
  sha256(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}

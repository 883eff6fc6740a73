/**
 * Writes one staged part file from bytes rather than rows (the commit's byte merge of small part
 * files, byte-concat.ts): to a local path (created, never overwritten) or as a streamed upload to
 * its final key (object-part-upload.ts), counting and hashing what it writes like a TableWriter's
 * meter, honouring backpressure. A failed write leaves nothing: the local file is removed, the
 * upload aborted.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ByteWrite } from './byte-source.js';
import { FILE_MODE } from './dataset-layout.js';
import type { PartDestination } from './dataset-writers.js';
import { SinkError } from './errors.js';
import { openPartUpload, uploadedEtag } from './object-part-upload.js';
import { drained } from './table-writer.js';

/** What a fill wrote, as it counted it, and what reached the destination. */
export interface StagedBytes {
  rows: number;
  bytes: number;
  sha256: string;
  /** The object's ETag when the file was streamed to object storage (see `uploadedEtag`). */
  etag?: string;
}

/**
 * Opens `destination`, lets `fill` write through the given function, ends the file and returns
 * its rows (as `fill` counted them), bytes and sha256; throws if `fill` counted other bytes than
 * reached the file.
 *
 * @example
 * const written = await writeStagedBytes(path, async (write) => { await write(bytes); return { rows: 1, bytes: bytes.length }; });
 */
export async function writeStagedBytes(
  destination: PartDestination,
  fill: (write: ByteWrite) => Promise<{ rows: number; bytes: number }>,
): Promise<StagedBytes> {
  const upload = typeof destination === 'string' ? undefined : openPartUpload(destination);
  const stream: Writable =
    upload ?? createWriteStream(destination as string, { flags: 'wx', mode: FILE_MODE });
  // Surfaced by drained()/finished() below; without a listener an idle failure would crash.
  stream.on('error', () => undefined);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const counted = await fill(async (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (!stream.write(chunk)) await drained(stream);
    });
    stream.end();
    await finished(stream);
    if (counted.bytes !== bytes) {
      throw new SinkError(
        `A merged part file got ${bytes} bytes, not ${counted.bytes}; nothing was committed`,
      );
    }
    return { rows: counted.rows, bytes, sha256: hash.digest('hex'), ...uploadedEtag(upload) };
  } catch (error) {
    stream.destroy();
    await finished(stream).catch(() => undefined);
    if (typeof destination === 'string') await rm(destination, { force: true });
    throw error;
  }
}

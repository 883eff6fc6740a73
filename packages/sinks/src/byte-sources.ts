/**
 * {@link ByteSource}s over bytes in memory and over an open local file, for
 * {@link concatParquet} (parquet-concat.ts). An object store implements the same two members
 * with ranged GETs.
 */
import type { FileHandle } from 'node:fs/promises';
import type { ByteSource } from './parquet-footer.js';

/**
 * A source over bytes already in memory.
 *
 * @example
 * const source = bytesSource(await readFile('a.parquet'));
 */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (start, end) => bytes.subarray(start, Math.min(end, bytes.length)),
  };
}

/**
 * A source over an open file of `size` bytes (the caller opens and closes it): each read is one
 * positioned read, looped until the range is full or the file ends (a short result then says so).
 *
 * @example
 * const handle = await open('a.parquet'); const source = fileSource(handle, (await handle.stat()).size);
 */
export function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    async read(start, end) {
      const buffer = new Uint8Array(end - start);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
        if (bytesRead === 0) return buffer.subarray(0, filled);
        filled += bytesRead;
      }
      return buffer;
    },
  };
}

import { Writable } from 'node:stream';
import { createCsvWriter, createNdjsonWriter } from '@omnidim-stream/sinks';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { describe, expect, it } from 'vitest';
import { drained } from '../src/table-writer.js';
import { ALL_TYPES_SCHEMA, AWKWARD_ROWS } from './helpers.js';

/** A destination that accepts one chunk per macrotask and records how much it ever had queued. */
function slowDestination() {
  const received: Buffer[] = [];
  let maxQueued = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      maxQueued = Math.max(maxQueued, stream.writableLength);
      received.push(chunk);
      setImmediate(callback);
    },
  });
  return { stream, received, maxQueued: () => maxQueued };
}

describe.each([
  [
    'ndjson',
    (destination: NodeJS.WritableStream) =>
      createNdjsonWriter({ schema: ALL_TYPES_SCHEMA, destination, highWaterMark: 4 }),
  ],
  [
    'csv',
    (destination: NodeJS.WritableStream) =>
      createCsvWriter({ schema: ALL_TYPES_SCHEMA, destination, highWaterMark: 4 }),
  ],
  [
    'parquet',
    (destination: NodeJS.WritableStream) =>
      createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination, highWaterMark: 4, rowGroupRows: 50 }),
  ],
] as const)('%s writer backpressure', (_format, create) => {
  it('write() returns false while a slow destination is busy, and every byte still arrives', async () => {
    const dest = slowDestination();
    const writer = create(dest.stream);
    const rows = 3000;
    let refused = 0;
    for (let i = 0; i < rows; i++) {
      if (!writer.write({ ...AWKWARD_ROWS[i % AWKWARD_ROWS.length]!, id: i })) {
        refused++;
        await new Promise((resolve) => writer.once('drain', resolve));
      }
    }
    writer.end();
    await new Promise((resolve, reject) => writer.once('finish', resolve).once('error', reject));
    expect(refused).toBeGreaterThan(0);
    const result = writer.result();
    expect(result.rows).toBe(rows);
    expect(result.bytes).toBe(dest.received.reduce((n, c) => n + c.length, 0));
    // The writer waited for 'drain' instead of piling everything into the destination's buffer.
    expect(dest.maxQueued()).toBeLessThan(result.bytes / 2);
  });
});

describe('drained() on a stream that already failed', () => {
  it('rejects at once instead of waiting for a drain that never comes (ENOSPC on an idle writer hung the run)', async () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.on('error', () => undefined);
    stream.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await new Promise((resolve) => stream.once('close', resolve));
    await expect(drained(stream)).rejects.toMatchObject({ code: 'SINK', message: /no space left/ });
  });
});

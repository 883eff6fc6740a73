/**
 * Adoption cuts a growing part file and a sidecar back to their checkpointed length, and fsyncs
 * each cut before the resumed run goes on (a power loss could otherwise bring the old tail back
 * under the new rows). What a test can observe: the lengths after the adoption (read back from
 * disk), and that every file handle that truncated was synced after its truncation: a spy on the
 * FileHandle prototype, because durability across a power loss has no observable effect on a
 * running machine.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { adoptCheckpoint } from '../src/dataset-adoption.js';
import { DATASET_CHECKPOINT_VERSION, type DatasetCheckpoint } from '../src/dataset-checkpoint.js';
import { tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('adopt-fsync');
});
afterAll(() => dir.remove());
afterEach(() => vi.restoreAllMocks());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('adoption fsyncs what it truncates', () => {
  it('a growing NDJSON part file and a sidecar longer than their checkpoint: cut to it, each cut synced on its own handle after the truncation', async () => {
    const root = join(dir.path, 'root');
    const from = 'run-a';
    const partition = join(root, from, 'calls', 'date=2024-01-01');
    await mkdir(partition, { recursive: true });
    const durable = Buffer.from('{"id":1}\n{"id":2}\n');
    await writeFile(
      join(partition, 'part-00001.ndjson.staged'),
      Buffer.concat([durable, Buffer.from('{"id":3')]),
    );
    await writeFile(join(root, from, 'quarantine.ndjson'), '{"q":1}\n{"q":2');
    const checkpoint: DatasetCheckpoint = {
      version: DATASET_CHECKPOINT_VERSION,
      runId: from,
      writtenAt: new Date().toISOString(),
      calls: 2,
      rows: { calls: 2 },
      seq: 2,
      files: [],
      growing: [
        {
          table: 'calls',
          partition: 'date=2024-01-01',
          date: '2024-01-01',
          name: 'part-00001.ndjson',
          rows: 2,
          bytes: durable.length,
          sha256: sha(durable),
        },
      ],
      sidecars: [{ staged: 'quarantine.ndjson', bytes: 8 }],
      state: null,
    };
    const probe = await open(join(root, from, 'quarantine.ndjson'), 'r');
    const proto = Object.getPrototypeOf(probe) as {
      truncate: () => Promise<void>;
      sync: () => Promise<void>;
    };
    await probe.close();
    const truncate = vi.spyOn(proto, 'truncate');
    const sync = vi.spyOn(proto, 'sync');

    expect(await adoptCheckpoint(root, from, 'run-b', checkpoint)).toBeUndefined();

    expect(
      (await stat(join(root, 'run-b', 'calls', 'date=2024-01-01', 'part-00001.ndjson.staged'))).size,
    ).toBe(durable.length);
    expect((await stat(join(root, 'run-b', 'quarantine.ndjson'))).size).toBe(8);
    expect(truncate.mock.calls.length).toBe(2);
    truncate.mock.contexts.forEach((handle, i) => {
      const truncatedAt = truncate.mock.invocationCallOrder[i]!;
      const syncedAfter = sync.mock.contexts.some(
        (h, j) => h === handle && sync.mock.invocationCallOrder[j]! > truncatedAt,
      );
      expect(syncedAfter, `truncation ${i} synced on its handle`).toBe(true);
    });
  });
});

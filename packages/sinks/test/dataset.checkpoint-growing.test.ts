/**
 * Part files kept open across checkpoints (issue 21): with plain NDJSON a checkpoint flushes and
 * fsyncs the open files instead of closing them (`growing` in `_checkpoint.json`), so a partition
 * written across several checkpoints is one part file that the commit publishes as it is, no
 * merge. And the checkpoint format's version 2 still adopts a valid version-1 checkpoint.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  checkpointRequest,
  createDatasetSink,
  readManifest,
  verifyManifestFiles,
} from '@omnidim-stream/sinks';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, simulatedLogs, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Entry {
  table: string;
  name: string;
  bytes: number;
  rows: number;
}
interface Written {
  version: number;
  calls: number;
  files: Entry[];
  growing: Entry[];
}

async function writeAll(sink: Writable, items: unknown[]): Promise<void> {
  for (const item of items) {
    await new Promise<void>((resolve, reject) => sink.write(item, (e) => (e ? reject(e) : resolve())));
  }
}

describe('part files kept open across checkpoints', () => {
  it('one NDJSON part file per table grows across two checkpoints and is committed as it is', async () => {
    const dir = await tempDir('ckpt-growing');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const logs = simulatedLogs(40);
    const sink = createDatasetSink({ out, format: 'ndjson', runId: 'grow', partitionBy: 'none' });
    await sink.ready();
    const checkpointPath = join(out, '_staging', 'grow', '_checkpoint.json');
    const seen: Written[] = [];
    for (const half of [logs.slice(0, 20), logs.slice(20)]) {
      await writeAll(sink, [...half, checkpointRequest({})]);
      seen.push(JSON.parse(await readFile(checkpointPath, 'utf8')) as Written);
    }
    const [first, second] = seen as [Written, Written];
    expect(second.version).toBe(2);
    // Nothing was closed: the same files, longer, with every row written so far.
    expect(second.files).toEqual([]);
    expect(second.growing.map((g) => g.name).sort()).toEqual(first.growing.map((g) => g.name).sort());
    const calls = (c: Written) => c.growing.find((g) => g.table === 'calls')!;
    expect([calls(first).rows, calls(second).rows]).toEqual([20, 40]);
    expect(calls(second).bytes).toBeGreaterThan(calls(first).bytes);
    await pipeline(Readable.from([]), sink);

    const manifest = await readManifest(out);
    const committed = manifest!.files.filter((f) => f.table === 'calls');
    expect(committed.map((f) => f.path.split('/').pop())).toEqual([calls(second).name]);
    expect(await verifyManifestFiles(out)).toEqual([]);
    const ids = await duck(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_json('${out}/calls/*.ndjson', format = 'newline_delimited')`,
    );
    expect([Number(ids[0]!['n']), Number(ids[0]!['d'])]).toEqual([
      40,
      new Set(logs.map((l) => l.callId)).size,
    ]);
  });

  it('a version-1 checkpoint (no growing files) is still adopted; an unknown version is discarded', async () => {
    for (const [version, adopted] of [
      [1, true],
      [3, false],
    ] as const) {
      const dir = await tempDir(`ckpt-v${version}`);
      cleanups.push(dir.remove);
      const out = join(dir.path, 'lake');
      const logs = simulatedLogs(8);
      const first = createDatasetSink({ out, format: 'parquet', runId: 'first' });
      first.on('error', () => undefined);
      await first.ready();
      await writeAll(first, [...logs, checkpointRequest({ at: 8 })]);
      first.destroy(new Error('SIGTERM'));
      await new Promise<void>((resolve) => first.once('close', () => resolve()));
      const path = join(out, '_staging', 'first', '_checkpoint.json');
      const { growing, ...rest } = JSON.parse(await readFile(path, 'utf8')) as Written;
      expect(growing).toEqual([]);
      await writeFile(path, JSON.stringify({ ...rest, version }));
      const discarded: string[] = [];
      const second = createDatasetSink({
        out,
        format: 'parquet',
        runId: 'second',
        resume: () => true,
        onDiscard: (_run, reason) => discarded.push(reason),
      });
      await second.ready();
      expect(second.resumedFrom?.calls).toBe(adopted ? 8 : undefined);
      expect(discarded).toEqual(adopted ? [] : ['no usable _checkpoint.json']);
      await second.abort();
    }
  });
});

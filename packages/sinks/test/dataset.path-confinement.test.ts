/**
 * Issue 12, requirement 1: the dataset never deletes or writes outside its root, whatever was
 * planted in it. Each scenario plants a link or a forged file, opens or commits the dataset, and
 * checks that the run is refused with a SinkError (code SINK, exit 6 in the CLI) naming the
 * problem, and that the directory outside is byte-for-byte intact.
 */
import { lstat, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkpointRequest, createDatasetSink, type DatasetSinkOptions } from '@omnidim-stream/sinks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulatedLogs, snapshot, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
let out: string;
let outside: string;
beforeEach(async () => {
  dir = await tempDir('confine');
  out = join(dir.path, 'lake');
  outside = join(dir.path, 'precious');
  await mkdir(join(outside, 'date=2025-01-20'), { recursive: true });
  await writeFile(join(outside, 'keep.txt'), "not the dataset's\n");
  await writeFile(join(outside, 'date=2025-01-20', 'foreign.ndjson'), '{"id":1}\n');
});
afterEach(async () => dir.remove());

const LOGS = simulatedLogs(30, 3);

async function exportLogs(extra: Partial<DatasetSinkOptions> = {}): Promise<void> {
  await pipeline(
    Readable.from(LOGS),
    createDatasetSink({ partitionBy: 'day', out, format: 'ndjson', ...extra }),
  );
}

/** Runs an export and returns its error (the test expects one). */
async function refused(extra: Partial<DatasetSinkOptions> = {}): Promise<Error & { code?: string }> {
  return exportLogs(extra).then(
    () => {
      throw new Error('the export was expected to be refused');
    },
    (error: Error & { code?: string }) => error,
  );
}

describe('path confinement: nothing outside --out is deleted or written', () => {
  it('a symlink planted as _staging is refused, its target is not emptied', async () => {
    await exportLogs();
    const before = await snapshot(outside);
    await symlink(outside, join(out, '_staging'));
    const error = await refused();
    expect(error.code).toBe('SINK');
    expect(error.message).toMatch(/_staging is a symbolic link/);
    expect(await snapshot(outside)).toEqual(before);
    expect(Object.keys(before).length).toBe(2);
  });

  it('a symlink planted as a run dir inside _staging is refused, its target is not emptied', async () => {
    await exportLogs();
    const before = await snapshot(outside);
    await mkdir(join(out, '_staging'), { recursive: true });
    await symlink(outside, join(out, '_staging', 'crashed-run'));
    const error = await refused();
    expect(error.code).toBe('SINK');
    expect(error.message).toMatch(/symbolic link/);
    expect(await snapshot(outside)).toEqual(before);
  });

  it.each([
    ['a rename target', { renames: [{ from: '_staging/forged/x.staged', to: '../../precious/keep.txt' }] }],
    [
      'a staged path',
      {
        renames: [
          { from: '_staging/forged/../../../precious/keep.txt', to: 'calls/date=2025-01-01/part-x.ndjson' },
        ],
      },
    ],
    ['a cleanup partition', { cleanup: { partitions: ['../../precious'] } }],
    ['a cleanup partition by absolute path', { cleanup: { partitions: ['/tmp'] } }],
  ])('a planted _commit.json naming %s outside is refused before any change', async (_what, forged) => {
    await exportLogs();
    const before = await snapshot(outside);
    const lake = await snapshot(out);
    const runDir = join(out, '_staging', 'forged');
    await mkdir(runDir, { recursive: true });
    const journal = {
      runId: 'forged',
      renames: [],
      manifest: { files: [] },
      cleanup: { tables: 'all' },
      successTables: [],
      ...forged,
    };
    await writeFile(join(runDir, '_commit.json'), JSON.stringify(journal));
    const error = await refused();
    expect(error.code).toBe('SINK');
    expect(error.message).toMatch(/Refusing the commit journal of run forged/);
    expect(await snapshot(outside)).toEqual(before);
    // The lake too: the forged journal stays for a human to look at, nothing else changed.
    const after = await snapshot(out);
    delete after['_staging/forged/_commit.json'];
    expect(after).toEqual(lake);
  });

  it('a symlinked table directory is refused: files the dataset did not write are not deleted', async () => {
    await mkdir(out, { recursive: true });
    await symlink(outside, join(out, 'calls'));
    const before = await snapshot(outside);
    const error = await refused();
    expect(error.code).toBe('SINK');
    expect(error.message).toMatch(/calls is a symbolic link/);
    expect(await snapshot(outside)).toEqual(before);
  });

  it('a symlinked partition directory is refused by the commit, its foreign files stay', async () => {
    // The first run's newest call date gets a partition that is a link to the outside dir.
    const date = LOGS[0]!.partitionDate!;
    await mkdir(join(out, 'calls'), { recursive: true });
    await symlink(join(outside, 'date=2025-01-20'), join(out, 'calls', `date=${date}`));
    const before = await snapshot(outside);
    const error = await refused();
    expect(error.code).toBe('SINK');
    expect(error.message).toMatch(/symbolic link/);
    expect(await snapshot(outside)).toEqual(before);
  });

  it('a symlink planted as a partition the run does not touch is refused at open (replacePartitions)', async () => {
    // Hostile review (repro/files.sh partition): the oldest partition swapped for a link outside,
    // then a run writing only other dates: it exited 0, its manifest listed files gone, and glob
    // readers went through the link.
    await exportLogs({ mode: 'replacePartitions' });
    const dates = [...new Set(LOGS.map((l) => l.partitionDate!))].sort();
    expect(dates.length).toBeGreaterThan(1);
    const oldest = join(out, 'calls', `date=${dates[0]}`);
    await rm(oldest, { recursive: true });
    await symlink(join(outside, 'date=2025-01-20'), oldest);
    const before = await snapshot(outside);
    const lake = await snapshot(out);
    // This run writes only the newest date: the planted partition is not one it touches.
    const newest = LOGS.filter((l) => l.partitionDate === dates.at(-1));
    const sink = createDatasetSink({ partitionBy: 'day', out, format: 'ndjson', mode: 'replacePartitions' });
    const opened = await sink.ready().then(
      () => undefined,
      (error: Error & { code?: string }) => error,
    );
    // Refused by ready(), before any call is written (the CLI awaits it before any request).
    expect(opened?.code).toBe('SINK');
    expect(opened?.message).toContain(`${oldest} is a symbolic link`);
    await pipeline(Readable.from(newest), sink).catch(() => undefined);
    expect(await snapshot(outside)).toEqual(before);
    expect(await snapshot(out)).toEqual(lake);
    expect((await lstat(oldest)).isSymbolicLink()).toBe(true);
    // The refusal let the lock go: with the link removed, the next run goes through.
    await rm(oldest);
    await pipeline(
      Readable.from(newest),
      createDatasetSink({ partitionBy: 'day', out, format: 'ndjson', mode: 'replacePartitions' }),
    );
  });

  it.each(['_manifest.json', '_views.duckdb.sql', '_lock'])(
    'a symlink planted as %s is refused and its target untouched',
    async (name) => {
      await exportLogs();
      const target = join(outside, 'keep.txt');
      const before = await snapshot(outside);
      const lake = await snapshot(out);
      await rm(join(out, name), { force: true });
      await symlink(target, join(out, name));
      const error = await refused();
      expect(error.code).toBe('SINK');
      expect(error.message).toMatch(new RegExp(`${name} is a symbolic link`));
      expect(await snapshot(outside)).toEqual(before);
      expect((await lstat(join(out, name))).isSymbolicLink()).toBe(true);
      const after = await snapshot(out);
      delete after[name];
      delete lake[name];
      expect(after).toEqual(lake);
    },
  );

  it('a forged checkpoint whose sidecar dir is a link outside is not adopted through the link', async () => {
    // A crashed run's checkpoint, adopted by the next run, truncates its sidecars to their
    // checkpointed size: through a planted link that would truncate a file outside.
    const runDir = join(out, '_staging', 'crashed');
    await mkdir(runDir, { recursive: true });
    await symlink(outside, join(runDir, '_sidecars'));
    await writeFile(
      join(runDir, '_checkpoint.json'),
      JSON.stringify({
        version: 1,
        runId: 'crashed',
        writtenAt: '2025-01-01T00:00:00Z',
        calls: 0,
        rows: {},
        seq: 0,
        files: [],
        sidecars: [{ staged: '_sidecars/keep.txt', bytes: 3 }],
        state: null,
      }),
    );
    const before = await snapshot(outside);
    const error = await refused({ resume: () => true });
    expect(error.code).toBe('SINK');
    expect(error.message).toMatch(/_sidecars is a symbolic link/);
    expect(await snapshot(outside)).toEqual(before);
    expect((await stat(join(outside, 'keep.txt'))).size).toBe("not the dataset's\n".length);
    // checkpointRequest is part of the same public surface: a request names no path at all.
    expect(Object.keys(checkpointRequest(null))).toEqual(['state', 'sidecars']);
  });
});

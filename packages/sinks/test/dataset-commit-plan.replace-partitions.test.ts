/**
 * planCommit() (dataset-commit-plan.ts) assembles the manifest and the journal from what a run
 * staged and the previous manifest, without touching a file: pinned here on hand-written input.
 */
import { SCHEMAS } from '@omnidim-stream/transform';
import { describe, expect, it } from 'vitest';
import type { StagedFileInfo } from '../src/dataset-checkpoint.js';
import { type CommitPlanInput, planCommit } from '../src/dataset-commit-plan.js';
import type { DatasetManifest } from '../src/manifest.js';

const staged: StagedFileInfo[] = [
  {
    table: 'calls',
    partition: 'date=2024-05-02',
    date: '2024-05-02',
    name: 'part-new-00000.csv',
    rows: 3,
    bytes: 30,
    sha256: 'a',
  },
];

const previous: DatasetManifest = {
  manifestVersion: 1,
  runId: 'old',
  mode: 'overwrite',
  format: 'csv',
  compression: 'none',
  startedAt: '2024-05-01T00:00:00.000Z',
  committedAt: '2024-05-01T00:00:01.000Z',
  source: null,
  callsReceived: 7,
  tables: { calls: { schemaVersion: SCHEMAS.calls.version, rows: 7, files: 2 } },
  files: [
    {
      path: 'calls/date=2024-05-01/part-old-00000.csv',
      table: 'calls',
      partition: { date: '2024-05-01' },
      rows: 4,
      bytes: 40,
      sha256: 'b',
      runId: 'old',
    },
    {
      path: 'calls/date=2024-05-02/part-old-00001.csv',
      table: 'calls',
      partition: { date: '2024-05-02' },
      rows: 3,
      bytes: 33,
      sha256: 'c',
      runId: 'old',
    },
  ],
  sidecars: [
    { path: '_quarantine/old.ndjson', kind: 'quarantine', records: 1, bytes: 5, sha256: 'd', runId: 'old' },
  ],
};

function input(overrides: Partial<CommitPlanInput>): CommitPlanInput {
  return {
    runId: 'new',
    mode: 'replacePartitions',
    partitionBy: 'day',
    format: 'csv',
    compression: 'none',
    timeZone: 'UTC',
    tables: ['calls'],
    schemas: SCHEMAS,
    startedAt: new Date('2024-05-03T00:00:00Z'),
    committedAt: new Date('2024-05-03T00:00:05Z'),
    source: { total: 3 },
    callsReceived: 3,
    staged,
    sidecars: [],
    previous,
    ...overrides,
  };
}

describe('planCommit', () => {
  it('replacePartitions keeps the partitions the run did not write and replaces the ones it did', () => {
    const { manifest, journal } = planCommit(input({}));
    expect(manifest.files.map((f) => f.path)).toEqual([
      'calls/date=2024-05-01/part-old-00000.csv',
      'calls/date=2024-05-02/part-new-00000.csv',
    ]);
    expect(manifest.tables.calls).toEqual({ schemaVersion: SCHEMAS.calls.version, rows: 7, files: 2 });
    expect(manifest.sidecars?.map((s) => s.path)).toEqual(['_quarantine/old.ndjson']);
    expect(manifest.committedAt).toBe('2024-05-03T00:00:05.000Z');
    expect(journal.renames).toEqual([
      {
        from: '_staging/new/calls/date=2024-05-02/part-new-00000.csv.staged',
        to: 'calls/date=2024-05-02/part-new-00000.csv',
      },
    ]);
    expect(journal.cleanup).toEqual({ partitions: ['calls/date=2024-05-02'] });
    expect(journal.successTables).toEqual(['calls']);
  });

  it('overwrite keeps no previous file, cleans every table and carries sidecars forward', () => {
    const { manifest, journal } = planCommit(input({ mode: 'overwrite' }));
    expect(manifest.files.map((f) => f.path)).toEqual(['calls/date=2024-05-02/part-new-00000.csv']);
    expect(manifest.tables.calls?.rows).toBe(3);
    expect(manifest.sidecars?.length).toBe(1);
    expect(journal.cleanup).toEqual({ tables: 'all' });
  });

  it('replacePartitions refuses to mix formats or schema versions (code SINK)', () => {
    expect(() => planCommit(input({ format: 'ndjson' }))).toThrow(/cannot mix formats/);
    const older = { ...previous, tables: { calls: { schemaVersion: -1, rows: 7, files: 2 } } };
    expect(() => planCommit(input({ previous: older }))).toThrow(
      expect.objectContaining({ code: 'SINK', message: expect.stringMatching(/schema versions of calls/) }),
    );
  });

  it('a new sidecar is renamed from the staging dir and replaces the entry of the same path', () => {
    const entry = {
      path: '_quarantine/old.ndjson',
      kind: 'quarantine',
      records: 2,
      bytes: 9,
      sha256: 'e',
      runId: 'new',
    };
    const { manifest, journal } = planCommit(input({ sidecars: [{ staged: 'q.ndjson', entry }] }));
    expect(manifest.sidecars).toEqual([entry]);
    expect(journal.renames).toContainEqual({ from: '_staging/new/q.ndjson', to: '_quarantine/old.ndjson' });
  });
});

/**
 * The commit preparation, as pure functions: from what the run staged and the previous manifest,
 * the new manifest (what the dataset will be) and the commit journal (how to get there; applied
 * by `applyCommit` in `dataset-commit.ts`). No file is touched here.
 */
import { TABLE_NAMES, type TableName, type TableSchema } from '@omnidim-stream/transform';
import type { StagedFileInfo } from './dataset-checkpoint.js';
import type { CommitJournal } from './dataset-commit.js';
import { parentRel, partFileRel, stagedPartRel, stagingRel } from './dataset-layout.js';
import type { DatasetFormat, DatasetMode } from './dataset-options.js';
import type { MeasuredSidecar } from './dataset-sidecars.js';
import { SinkError } from './errors.js';
import type { DatasetManifest, ManifestFile, SourceStats } from './manifest.js';
import { type PartitionGrain, partitionValues } from './partition.js';

/** Everything the commit of one run is planned from. */
export interface CommitPlanInput {
  runId: string;
  mode: DatasetMode;
  partitionBy: PartitionGrain;
  format: DatasetFormat;
  compression: string;
  timeZone: string;
  tables: readonly TableName[];
  schemas: Readonly<Record<TableName, TableSchema>>;
  startedAt: Date;
  committedAt: Date;
  source: SourceStats | undefined;
  callsReceived: number;
  /** The run's closed part files. */
  staged: readonly StagedFileInfo[];
  /**
   * Partitions (`table/partition`) the commit replaces besides those of `staged`: a merge that
   * dropped every row of a partition leaves no staged file there, but the old files must go.
   */
  touched?: readonly string[];
  sidecars: readonly MeasuredSidecar[];
  /** The committed manifest before this run, if any. */
  previous: DatasetManifest | undefined;
}

/**
 * The new manifest and the journal that makes it true. `replacePartitions`/`mergePartitions` keep
 * the previous manifest's files of partitions this run did not write, and refuse to mix formats or
 * schema versions; `overwrite` keeps only the previous sidecars (their files stay).
 */
export function planCommit(input: CommitPlanInput): { manifest: DatasetManifest; journal: CommitJournal } {
  const manifest = assembleManifest(input);
  const journal: CommitJournal = {
    runId: input.runId,
    renames: [
      ...input.staged.map((f) => ({ from: stagedPartRel(input.runId, f), to: partFileRel(f) })),
      ...input.sidecars.map((c) => ({ from: stagingRel(input.runId, c.staged), to: c.entry.path })),
    ],
    manifest,
    cleanup: input.mode === 'overwrite' ? { tables: 'all' } : { partitions: touchedPartitions(input) },
    successTables: [...input.tables],
  };
  return { manifest, journal };
}

function touchedPartitions(input: CommitPlanInput): string[] {
  return [...new Set([...input.staged.map((f) => parentRel(partFileRel(f))), ...(input.touched ?? [])])];
}

function assembleManifest(input: CommitPlanInput): DatasetManifest {
  const { previous, mode, runId } = input;
  const newPaths = new Set(input.sidecars.map((c) => c.entry.path));
  const sidecarEntries = [
    ...(previous?.sidecars ?? []).filter((c) => !newPaths.has(c.path)),
    ...input.sidecars.map((c) => c.entry),
  ];
  const touched = new Set(touchedPartitions(input));
  const newFiles: ManifestFile[] = input.staged.map((f) => ({
    path: partFileRel(f),
    table: f.table,
    partition: partitionValues(f.partition),
    rows: f.rows,
    bytes: f.bytes,
    sha256: f.sha256,
    runId,
    ...(f.etag === undefined ? {} : { etag: f.etag }),
  }));
  const keeps = mode !== 'overwrite';
  const kept = (keeps ? (previous?.files ?? []) : []).filter((f) => !touched.has(parentRel(f.path)));
  if (keeps && previous && previous.format !== input.format) {
    throw new SinkError(
      `${mode} cannot mix formats: the dataset is ${previous.format}, this run writes ${input.format}`,
    );
  }
  const files = [...kept, ...newFiles];
  return {
    manifestVersion: 1,
    runId,
    mode,
    partitionBy: input.partitionBy,
    format: input.format,
    compression: input.compression,
    timeZone: input.timeZone,
    startedAt: input.startedAt.toISOString(),
    committedAt: input.committedAt.toISOString(),
    source: input.source ?? null,
    callsReceived: input.callsReceived,
    tables: tableTotals(input, kept, files),
    files,
    ...(sidecarEntries.length > 0 ? { sidecars: sidecarEntries } : {}),
  };
}

/** Per-table totals of `files`, for the tables this run wrote and those `kept` files belong to. */
function tableTotals(
  input: CommitPlanInput,
  kept: readonly ManifestFile[],
  files: readonly ManifestFile[],
): DatasetManifest['tables'] {
  const tables: DatasetManifest['tables'] = {};
  const tableNames = new Set<TableName>([...input.tables, ...kept.map((f) => f.table)]);
  for (const table of TABLE_NAMES) {
    if (!tableNames.has(table)) continue;
    const version = input.schemas[table].version;
    const before = input.previous?.tables[table]?.schemaVersion;
    if (before !== undefined && before !== version && kept.some((f) => f.table === table)) {
      throw new SinkError(
        `${input.mode} cannot mix schema versions of ${table} (dataset ${before}, run ${version})`,
      );
    }
    const own = files.filter((f) => f.table === table);
    tables[table] = {
      schemaVersion: version,
      rows: own.reduce((n, f) => n + f.rows, 0),
      files: own.length,
    };
  }
  return tables;
}

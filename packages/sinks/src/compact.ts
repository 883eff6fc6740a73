/**
 * `compactDataset` (issue 16): rewrites an existing lake into a partition grain and file size,
 * atomically, through the same staging, journal and manifest switch as an export (mode
 * `overwrite`: the old grain's files go once the new manifest is in place). Rows are read back
 * through lake-files.ts (the manifest's files, never a directory glob), one file at a time, and
 * routed to their partition in the new grain. Before the commit, the staged result is read back
 * and its row count and call ids per table are compared with what was read: any difference fails
 * the compaction and nothing is committed.
 */
import { AbortError, InvalidOptionError } from '@omnidim-stream/core';
import { type Row, SCHEMAS, TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import { partitionOfPath, stagedPartRel } from './dataset-layout.js';
import { normalizeDatasetOptions } from './dataset-options.js';
import { DatasetRun } from './dataset-run.js';
import { SinkError } from './errors.js';
import { lakeFilesOf } from './lake-files.js';
import { readFileRows, readManifestFileRows } from './lake-rows.js';
import { type DatasetManifest, manifestGrain, readManifest } from './manifest.js';
import { isCoarserOrEqual, type PartitionGrain, partitionDir, partitionStartDate } from './partition.js';
import { callIdOf } from './row-call-id.js';

/** Options of {@link compactDataset}. */
export interface CompactOptions {
  /** The dataset root. */
  out: string;
  /** The grain to rewrite into. Default: the lake's own (only right-sizes its files). */
  partitionBy?: PartitionGrain;
  /** Target file size in bytes. Default the sink's (128 MiB). */
  bytesPerFile?: number;
  rowsPerFile?: number;
  /** Run id. Default: UTC timestamp + random suffix. */
  runId?: string;
  now?: () => Date;
  /**
   * Stops the compaction (SIGINT/SIGTERM in the CLI): checked after every batch read and once
   * more just before the commit, so an abort leaves the lake as it was and releases the lock.
   */
  signal?: AbortSignal;
}

/** What a compaction did. */
export interface CompactResult {
  runId: string;
  from: PartitionGrain;
  to: PartitionGrain;
  filesBefore: number;
  filesAfter: number;
  /** Rows per table (the same before and after: checked). */
  rows: Partial<Record<TableName, number>>;
}

/** Rows and call ids of each table: what must be the same before and after. */
type Census = Map<TableName, Map<string, number>>;

/**
 * Rewrites the lake at `out` into `partitionBy` and `bytesPerFile` (see the module comment).
 *
 * @example
 * const result = await compactDataset({ out: './lake', partitionBy: 'month' });
 * console.log(result.filesBefore, '→', result.filesAfter);
 */
export async function compactDataset(options: CompactOptions): Promise<CompactResult> {
  const first = await readManifest(options.out);
  if (!first) throw new SinkError(`Nothing to compact: ${options.out} holds no dataset (no _manifest.json)`);
  const from = manifestGrain(first);
  const to = options.partitionBy ?? from;
  const tables = TABLE_NAMES.filter((t) => first.tables[t] !== undefined);
  const resolved = normalizeDatasetOptions({
    out: options.out,
    format: first.format,
    compression: first.compression,
    tables,
    mode: 'overwrite',
    partitionBy: to,
    regrain: true,
    ...(options.bytesPerFile === undefined ? {} : { bytesPerFile: options.bytesPerFile }),
    ...(options.rowsPerFile === undefined ? {} : { rowsPerFile: options.rowsPerFile }),
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const before: Census = new Map();
  let run: DatasetRun | undefined;
  const stop = () => {
    if (options.signal?.aborted) throw new AbortError(options.signal.reason);
  };
  const checkStaged = async () => {
    compareCensus(before, await stagedCensus(run!, resolved.out, first));
    // The last moment before the commit point: after it the new lake is in place.
    stop();
  };
  run = new DatasetRun({ ...resolved, beforeCommit: checkStaged, sourceStats: first.source ?? undefined });
  try {
    await run.open();
    // Under the lock: the lake must still be the one the options were read from.
    const manifest = await readManifest(options.out);
    if (manifest?.runId !== first.runId)
      throw new SinkError('The dataset changed while compact started: run it again');
    await copyLake(run, manifest, tables, from, to, before, stop);
    await run.commit();
  } catch (error) {
    await run.dispose(() => false);
    throw error;
  }
  const after = run.manifest!;
  return {
    runId: resolved.runId,
    from,
    to,
    filesBefore: first.files.length,
    filesAfter: after.files.length,
    rows: Object.fromEntries(tables.map((t) => [t, after.tables[t]?.rows ?? 0])),
  };
}

/** Reads every table's files and writes their rows to their partition in grain `to`. */
async function copyLake(
  run: DatasetRun,
  manifest: DatasetManifest,
  tables: readonly TableName[],
  from: PartitionGrain,
  to: PartitionGrain,
  census: Census,
  stop: () => void,
): Promise<void> {
  const dates = isCoarserOrEqual(to, from) ? undefined : await callDates(run, manifest, tables, to);
  for (const table of tables) {
    const counts = new Map<string, number>();
    census.set(table, counts);
    let read = 0;
    for (const file of lakeFilesOf(manifest, table)) {
      const oldDir = partitionOfPath(file.path);
      for await (const rows of readManifestFileRows(run.root, file, manifest.format, SCHEMAS[table])) {
        stop();
        read += rows.length;
        count(counts, table, rows);
        const groups = new Map<string, { date: string | null; rows: Row[] }>();
        for (const row of rows) {
          const date = dateOf(table, row, oldDir, dates);
          const dir = partitionDir(date, to);
          const group = groups.get(dir) ?? groups.set(dir, { date, rows: [] }).get(dir)!;
          group.rows.push(row);
        }
        for (const [dir, group] of groups) await run.writeRows(table, dir, group.date, group.rows);
      }
    }
    if (read !== (manifest.tables[table]?.rows ?? 0)) {
      throw new SinkError(
        `compact: ${table} holds ${read} rows but the manifest lists ${manifest.tables[table]?.rows}; nothing was committed`,
      );
    }
  }
}

/**
 * The date of a row in the new grain: `call_date` for calls; for the other tables their call's
 * date (`dates`, read from the calls table, when the new grain is finer), else the start of the
 * old partition (which lies in exactly one partition of a coarser grain).
 */
function dateOf(
  table: TableName,
  row: Row,
  oldDir: string,
  dates: Map<string, string | null> | undefined,
): string | null {
  if (table === 'calls') return (row['call_date'] as string | null) ?? null;
  if (dates) return dates.get(String(callIdOf(table, row))) ?? null;
  return partitionStartDate(oldDir);
}

/** Call id → call_date, from the calls table: needed to split a partition into a finer grain. */
async function callDates(
  run: DatasetRun,
  manifest: DatasetManifest,
  tables: readonly TableName[],
  to: PartitionGrain,
): Promise<Map<string, string | null>> {
  if (!tables.includes('calls') && tables.length > 0) {
    throw new InvalidOptionError(
      'partitionBy',
      `a grain no finer than the lake's (${manifestGrain(manifest)}): without its calls table the other tables' rows have no date`,
      to,
    );
  }
  const dates = new Map<string, string | null>();
  for (const file of lakeFilesOf(manifest, 'calls')) {
    for await (const rows of readFileRows(run.root, file.path, manifest.format, SCHEMAS.calls)) {
      for (const row of rows) dates.set(String(row['id']), (row['call_date'] as string | null) ?? null);
    }
  }
  return dates;
}

function count(counts: Map<string, number>, table: TableName, rows: readonly Row[]): void {
  for (const row of rows) {
    const id = String(callIdOf(table, row));
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
}

/** The census of the run's staged files, read back from disk. */
async function stagedCensus(run: DatasetRun, root: string, manifest: DatasetManifest): Promise<Census> {
  const census: Census = new Map();
  for (const file of run.stagedFiles) {
    const counts = census.get(file.table) ?? census.set(file.table, new Map()).get(file.table)!;
    const rel = stagedPartRel(run.runId, file);
    for await (const rows of readFileRows(root, rel, manifest.format, SCHEMAS[file.table]))
      count(counts, file.table, rows);
  }
  return census;
}

/** Throws unless both censuses hold the same rows per call id in every table. */
function compareCensus(before: Census, after: Census): void {
  for (const [table, counts] of before) {
    const other = after.get(table) ?? new Map<string, number>();
    const differs = counts.size !== other.size || [...counts].some(([id, n]) => other.get(id) !== n);
    if (differs) {
      throw new SinkError(
        `compact: the rewritten ${table} table differs from the lake's (rows or call ids); nothing was committed`,
      );
    }
  }
}

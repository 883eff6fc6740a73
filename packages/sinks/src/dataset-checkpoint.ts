/**
 * Crash-resumable runs (issue 6, "Crash resume"): a run's staging dir can hold a checkpoint,
 * `_staging/<runId>/_checkpoint.json`, listing the staged part files that were closed and fsync'd
 * and the caller's own state (e.g. the source's position). A later run of the same command, once
 * it holds the lock, adopts that staging dir: keeps the listed files, deletes anything else (files
 * being written when the process died) and continues from there. The commit then publishes every
 * file once, as for a run that never stopped.
 */
import { readFile } from 'node:fs/promises';
import { TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import { CHECKPOINT_NAME, datasetPath } from './dataset-layout.js';
import { isCalendarDate, partitionDir, partitionGrainOf } from './partition.js';

export { CHECKPOINT_NAME } from './dataset-layout.js';
/**
 * Format version of {@link DatasetCheckpoint}. 2 added `growing` (part files kept open across the
 * checkpoint); a version-1 checkpoint is still read (it has none: every file it lists is closed),
 * any other version is never adopted.
 */
export const DATASET_CHECKPOINT_VERSION = 2;
const READABLE_VERSIONS: readonly unknown[] = [1, DATASET_CHECKPOINT_VERSION];

/** A part file that is complete, closed and fsync'd in the staging dir. */
export interface StagedFileInfo {
  table: TableName;
  /** `date=YYYY-MM-DD`, `month=YYYY-MM-01`, `year=YYYY` (or the Hive default), `''` at grain none. */
  partition: string;
  date: string | null;
  /** Final file name (the staged copy is `<name>.staged`). */
  name: string;
  rows: number;
  bytes: number;
  sha256: string;
  /**
   * A part file streamed to object storage: its ETag as the upload's completion answered it (a
   * resume compares it with a HEAD instead of downloading the object to hash it). Absent for a
   * file on disk, and in checkpoints written before ETags were recorded (those objects are then
   * not adopted: dataset-adoption.ts).
   */
  etag?: string;
}

/** A caller-written file in the staging dir (e.g. the quarantine), durable up to `bytes`. */
export interface StagedSidecarInfo {
  /** Path relative to the run's staging dir, `/`-separated. */
  staged: string;
  bytes: number;
}

/** Contents of `_checkpoint.json` (as read: a version-1 file gets an empty `growing`). */
export interface DatasetCheckpoint {
  version: 1 | typeof DATASET_CHECKPOINT_VERSION;
  /** The run that wrote it (a run that adopts it renames the dir to its own id). */
  runId: string;
  writtenAt: string;
  /** FlatCallLogs written before the checkpoint. */
  calls: number;
  rows: Partial<Record<TableName, number>>;
  /** Next part-file sequence number. */
  seq: number;
  files: StagedFileInfo[];
  /**
   * Part files still open when the checkpoint was written (plain NDJSON/CSV, staged-parts.ts),
   * durable up to `bytes`, with `rows` and the sha256 of that prefix: a resume checks the prefix
   * and cuts the file there (the bytes after it belong to calls the checkpoint does not cover).
   */
  growing: StagedFileInfo[];
  sidecars: StagedSidecarInfo[];
  /** The caller's state, as given to {@link checkpointRequest} (JSON). */
  state: unknown;
}

const REQUEST = Symbol.for('omnidim-stream.dataset-checkpoint-request');

/** An object written into the sink between FlatCallLogs; see {@link checkpointRequest}. */
export interface CheckpointRequest {
  readonly [REQUEST]: true;
  readonly state: unknown;
  readonly sidecars: readonly StagedSidecarInfo[];
}

/**
 * A checkpoint request to write into a dataset sink, in order with the data: when the sink
 * reaches it, every FlatCallLog written before it is durable (in closed, fsync'd files, or in the
 * fsync'd prefix of a file kept open: `growing`), and the sink
 * writes `_checkpoint.json` with those files, `sidecars` (already fsync'd by the caller) and
 * `state` (JSON, e.g. the source's checkpoint). Writing it in order needs no barrier.
 *
 * @example
 * yield checkpointRequest({ source: calls.checkpoint }); // from the generator feeding the sink
 */
export function checkpointRequest(
  state: unknown,
  sidecars: readonly StagedSidecarInfo[] = [],
): CheckpointRequest {
  return { [REQUEST]: true, state, sidecars: [...sidecars] };
}

/** True for an object made by {@link checkpointRequest}. */
export function isCheckpointRequest(value: unknown): value is CheckpointRequest {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REQUEST] === true;
}

const PART_NAME = /^part-[A-Za-z0-9_-]{1,64}-\d{5,}\.(parquet|csv|ndjson)(\.gz)?$/;
const SIDECAR_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/**
 * Reads and checks the checkpoint of a staging dir; `undefined` when it has none or it is not a
 * well-formed checkpoint of this version (names are checked, so a tampered file cannot point
 * outside the staging dir).
 */
export async function readCheckpoint(runDir: string): Promise<DatasetCheckpoint | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(datasetPath(runDir, CHECKPOINT_NAME), 'utf8'));
  } catch {
    return undefined;
  }
  const c = value as Partial<DatasetCheckpoint> | null;
  if (typeof c !== 'object' || c === null || !READABLE_VERSIONS.includes(c.version)) return undefined;
  // A version-1 checkpoint has no growing files: one that lists some was not written by this code.
  if (c.version === 1) {
    if (c.growing !== undefined && !(Array.isArray(c.growing) && c.growing.length === 0)) return undefined;
    c.growing = [];
  }
  if (!Array.isArray(c.files) || !Array.isArray(c.growing) || !Array.isArray(c.sidecars)) return undefined;
  if (!Number.isSafeInteger(c.calls) || !Number.isSafeInteger(c.seq)) return undefined;
  const entries = [...c.files, ...c.growing];
  if (!entries.every(isStagedFileInfo)) return undefined;
  // Each part file once (files and growing together): an entry listed twice would be adopted and
  // committed twice, its rows duplicated in the lake (the review of 2026-12-01).
  if (new Set(entries.map((f) => `${f.table}/${f.partition}/${f.name}`)).size !== entries.length) {
    return undefined;
  }
  // The row counts a resumed run starts from (and the manifest reports) are the files' own: a
  // table's count that is not the sum of its entries' rows was not written by this code.
  if (!rowsAddUp(c.rows, entries)) return undefined;
  // A growing file's rows are in its durable prefix: rows without bytes cannot be.
  if (c.growing.some((f) => f.rows > 0 && f.bytes === 0)) return undefined;
  for (const s of c.sidecars) {
    if (typeof s.staged !== 'string' || !SIDECAR_PATH.test(s.staged) || !Number.isSafeInteger(s.bytes)) {
      return undefined;
    }
  }
  return c as DatasetCheckpoint;
}

/** True when `rows` has, for every table, the sum of `entries`' rows of that table (absent: 0). */
function rowsAddUp(rows: unknown, entries: readonly StagedFileInfo[]): boolean {
  if (typeof rows !== 'object' || rows === null) return false;
  const sums = new Map<string, number>();
  for (const f of entries) sums.set(f.table, (sums.get(f.table) ?? 0) + f.rows);
  const counts = rows as Record<string, unknown>;
  if (Object.keys(counts).some((table) => !(TABLE_NAMES as readonly string[]).includes(table))) return false;
  return TABLE_NAMES.every((table) => (counts[table] ?? 0) === (sums.get(table) ?? 0));
}

/** True for a well-formed file entry (its name confined to its partition's staging dir). */
function isStagedFileInfo(f: StagedFileInfo): boolean {
  if (typeof f !== 'object' || f === null) return false;
  if (!(TABLE_NAMES as readonly string[]).includes(f.table)) return false;
  if (f.date !== null && !isCalendarDate(f.date)) return false;
  const grain = typeof f.partition === 'string' ? partitionGrainOf(f.partition) : undefined;
  if (grain === undefined || f.partition !== partitionDir(f.date, grain) || !PART_NAME.test(f.name)) {
    return false;
  }
  if (f.etag !== undefined && typeof f.etag !== 'string') return false;
  return Number.isSafeInteger(f.rows) && Number.isSafeInteger(f.bytes) && f.bytes >= 0;
}

/**
 * Right-sized files and merge-on-write (issue 16), run at commit before the journal is planned:
 * each partition this run wrote in several part files (a checkpoint closes the open Parquet, gzip
 * and streamed files; plain NDJSON/CSV ones keep growing across it, staged-parts.ts) is
 * rewritten into files of up to the target size, and with `mergePartitions` each partition this
 * run wrote is rewritten as this run's rows followed by the lake's rows of the calls this run did
 * not write (latest version wins, by call id; child tables follow their call: the rows of a
 * re-read call are dropped from every table, whatever the new version holds). One partition at a
 * time, row group by row group: memory holds one partition's call ids, not its rows. A partition
 * with no lake file to merge with has its small files joined by copying bytes where the format
 * has a byte-concatenator (partition-consolidate.ts, issue 21), not row by row. The output
 * goes through the run's own staged parts, so the commit journal publishes it like any other
 * staged file and a failure before it leaves the lake untouched.
 */
import type { Row, TableName, TableSchema } from '@omnidim-stream/transform';
import { byteConcatenatorOf } from './byte-concat.js';
import type { StagedFileInfo } from './dataset-checkpoint.js';
import { parentRel, partitionOfPath, stagedPartRel, tablePartitionRel } from './dataset-layout.js';
import type { Format } from './formats.js';
import { lakeFilesOf } from './lake-files.js';
import { readFileRows, readManifestFileRows } from './lake-rows.js';
import type { DatasetManifest } from './manifest.js';
import { partitionStartDate } from './partition.js';
import { mergeFileBytes } from './partition-consolidate.js';
import { callIdOf } from './row-call-id.js';
import type { StagedParts } from './staged-parts.js';

/** What a rewrite needs to know about the run. */
export interface RewriteInput {
  root: string;
  runId: string;
  format: Format;
  tables: readonly TableName[];
  schemas: Readonly<Record<TableName, TableSchema>>;
  /** The committed lake to merge with (`mergePartitions`), or undefined (only consolidate). */
  lake: DatasetManifest | undefined;
  parts: StagedParts;
  /** True for a staged file that reached a size limit (it is right-sized as it is). */
  isFull: (file: StagedFileInfo) => boolean;
}

/** Rows per write while rewriting: a file overshoots its row or byte limit by at most this many. */
const CHUNK = 256;

/** The partitions a rewrite touched (`table/partition`): the commit replaces exactly these. */
export interface RewriteResult {
  touched: string[];
}

/**
 * Rewrites the run's partitions in place of its staged files (see the module comment); the
 * caller has closed every staged file. Returns every partition the commit must replace.
 */
export async function rewritePartitions(input: RewriteInput): Promise<RewriteResult> {
  const { parts, lake } = input;
  const staged = parts.files;
  const partitions = [...new Set(staged.map((f) => f.partition))];
  // Every call this run wrote, whatever partition: a re-read call whose date changed (an undated
  // call that got its time, a corrected time) has its old rows in another partition, which is
  // rewritten without them too (found in review: the call was in the lake twice).
  const replaced = lake ? await callIds(input, staged) : undefined;
  if (lake) partitions.push(...(await partitionsHolding(input, lake, partitions, replaced!)));
  const touched: string[] = [];
  const consumed: StagedFileInfo[] = [];
  // Own files with nothing to merge are joined by copying bytes where the format allows it.
  const concat = await byteConcatenatorOf(parts.limits.extension);
  for (const partition of partitions) {
    const inPartition = staged.filter((f) => f.partition === partition);
    for (const table of input.tables) {
      // Files that rolled over at a limit are right-sized already; only the small ones (closed by
      // a checkpoint, by a worker's flush, or by the partition coming back out of order) are merged.
      const ownAll = inPartition.filter((f) => f.table === table);
      const rel = tablePartitionRel(table, partition);
      const carried = lake ? lakeFilesOf(lake, table, rel) : [];
      if (ownAll.length > 0 || carried.length > 0) touched.push(rel);
      const own = carried.length > 0 ? ownAll : ownAll.filter((f) => !input.isFull(f));
      // One small file and nothing to merge: nothing to gain from a rewrite.
      if (carried.length === 0 && own.length <= 1) continue;
      if (carried.length === 0 && concat) {
        consumed.push(...(await mergeFileBytes({ ...input, concat }, own)));
        continue;
      }
      const date = partitionStartDate(partition);
      for (const file of own) {
        for await (const rows of readFileRows(
          input.root,
          stagedPartRel(input.runId, file),
          input.format,
          input.schemas[table],
        )) {
          await writeChunked(parts, table, partition, date, rows);
        }
      }
      for (const file of carried) {
        for await (const rows of readManifestFileRows(input.root, file, input.format, input.schemas[table])) {
          const kept = rows.filter((row) => !replaced!.has(String(callIdOf(table, row))));
          await writeChunked(parts, table, partition, date, kept);
        }
      }
      consumed.push(...own);
      // Closes the rewritten partition's last file: the next partition starts a new one.
      await parts.closeAll();
    }
  }
  await parts.sync([]);
  parts.drop(consumed);
  return { touched };
}

/** Writes a batch (a whole row group) in chunks, so the staged parts roll over near their limits. */
async function writeChunked(
  parts: StagedParts,
  table: TableName,
  partition: string,
  date: string | null,
  rows: Row[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK)
    await parts.write(table, partition, date, rows.slice(i, i + CHUNK));
}

/**
 * The lake's other partitions (not in `own`) that hold a row of a call in `ids`: only the call id
 * column is decoded (Parquet), and each file is checked against its manifest row count.
 */
async function partitionsHolding(
  input: RewriteInput,
  lake: DatasetManifest,
  own: readonly string[],
  ids: ReadonlySet<string>,
): Promise<string[]> {
  const found = new Set<string>();
  if (ids.size === 0) return [];
  // Child rows are partitioned by their call's date, so a partition holding a call's old children
  // holds its `calls` row too: the calls files alone answer (a quarter of the reads; on object
  // storage each read file is downloaded). Without `calls` in the lake, the child tables answer.
  const tables = input.tables.includes('calls') ? (['calls'] as const) : input.tables;
  for (const table of tables) {
    const column = table === 'calls' ? 'id' : 'call_id';
    for (const file of lakeFilesOf(lake, table)) {
      const partition = partitionOfPath(file.path);
      if (own.includes(partition) || found.has(partition)) continue;
      // A path that is not `<table>/<partition>/<file>` is left to the commit's path checks.
      if (tablePartitionRel(table, partition) !== parentRel(file.path)) continue;
      const schema = input.schemas[table];
      for await (const rows of readManifestFileRows(input.root, file, input.format, schema, [column])) {
        if (rows.some((row) => ids.has(String(callIdOf(table, row))))) found.add(partition);
      }
    }
  }
  return [...found];
}

/** The call ids this run wrote, from its staged files of every table. */
async function callIds(input: RewriteInput, files: readonly StagedFileInfo[]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const file of files) {
    const rel = stagedPartRel(input.runId, file);
    for await (const rows of readFileRows(input.root, rel, input.format, input.schemas[file.table])) {
      for (const row of rows) ids.add(String(callIdOf(file.table, row)));
    }
  }
  return ids;
}

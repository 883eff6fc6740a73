import { lstat, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import {
  confined,
  datasetPath,
  errnoOf,
  isSafeRelative,
  isTempName,
  journalRel,
  MANIFEST_NAME,
  makeDir,
  PARTITION_DIR_NAME,
  PARTITION_PATH,
  parentRel,
  STAGING_DIR,
  SUCCESS_NAME,
  stagingRel,
  TABLE_FILE,
  VIEWS_NAME,
} from './dataset-layout.js';
import { duckdbViewsSql } from './duckdb-views.js';
import { CommittedWithCleanupError, SinkError } from './errors.js';
import { type DatasetManifest, fsyncDir, prepareFileAtomic, writeFileAtomic } from './manifest.js';

export { JOURNAL_NAME, STAGING_DIR, SUCCESS_NAME } from './dataset-layout.js';
export { CommittedWithCleanupError } from './errors.js';

/**
 * Everything needed to finish a commit, written (atomically) before the first visible change, so
 * that a commit interrupted by a kill is rolled forward by the next run instead of leaving a mix.
 */
export interface CommitJournal {
  runId: string;
  /** Staged file → final path, both relative to the dataset root, `/`-separated. */
  renames: { from: string; to: string }[];
  manifest: DatasetManifest;
  /**
   * Where files not in the manifest are deleted: every table directory (`overwrite`) or only the
   * partitions this run wrote (`replacePartitions`, `mergePartitions`), as `table/date=…`
   * (`month=…`, `year=…`) paths, or `table` itself at grain `none`.
   */
  cleanup: { tables: 'all' } | { partitions: string[] };
  /** Tables that get a fresh `_SUCCESS`. */
  successTables: TableName[];
}

/**
 * The steps of {@link applyCommit}, in order, as told to its `onStep` hook (tests kill or fail
 * the process at each one): after the journal, after the manifest's temp file, after the first
 * rename, after the last rename, after the manifest switch, after the cleanup, after `_SUCCESS`.
 */
export const COMMIT_STEPS = [
  'journal',
  'manifest-staged',
  'first-rename',
  'renamed',
  'manifest',
  'cleaned',
  'success',
] as const;
export type CommitStep = (typeof COMMIT_STEPS)[number];

/** Hooks of {@link applyCommit}. */
export interface CommitHooks {
  /** Called after each step (a test seam: a throw there is a failure at that step). */
  onStep?: ((step: CommitStep) => void | Promise<void>) | undefined;
}

const MAX_RENAME_CONCURRENCY = 16;

/**
 * Checks a journal read from disk (or about to be written): every path is a plain path inside
 * the dataset (staged files inside the run's own staging dir, targets inside a table partition or
 * a sidecar path outside the tables), so a forged journal cannot move or delete anything outside.
 */
export function checkJournal(journal: unknown, runId: string): CommitJournal {
  const j = journal as Partial<CommitJournal> | null;
  const bad = (why: string) =>
    new SinkError(
      `Refusing the commit journal of run ${runId}: ${why} (delete ${stagingRel(runId)} to discard it)`,
    );
  if (typeof j !== 'object' || j === null || j.runId !== runId) throw bad('it names another run');
  if (!Array.isArray(j.renames) || typeof j.manifest !== 'object' || j.manifest === null) {
    throw bad('it is not a commit journal');
  }
  if (!Array.isArray(j.manifest.files) || !Array.isArray(j.successTables))
    throw bad('it is not a commit journal');
  const tables = TABLE_NAMES as readonly string[];
  for (const r of j.renames) {
    if (
      typeof r?.from !== 'string' ||
      !r.from.startsWith(`${stagingRel(runId)}/`) ||
      !isSafeRelative(r.from)
    ) {
      throw bad(`staged path ${JSON.stringify(String(r?.from).slice(0, 80))} is not inside its staging dir`);
    }
    const first = String(r.to).split('/')[0] ?? '';
    const sidecar =
      isSafeRelative(r.to) && !tables.includes(first) && first !== STAGING_DIR && !first.startsWith('.');
    if (!(isSafeRelative(r.to) && TABLE_FILE.test(r.to)) && !sidecar) {
      throw bad(`target ${JSON.stringify(String(r.to).slice(0, 80))} is not a dataset path`);
    }
  }
  for (const f of j.manifest.files) {
    if (!isSafeRelative(f?.path) || !TABLE_FILE.test(f.path))
      throw bad('its manifest lists a path outside the tables');
  }
  const cleanup = j.cleanup as CommitJournal['cleanup'] | undefined;
  if (cleanup === undefined || (!('tables' in cleanup) && !Array.isArray(cleanup.partitions))) {
    throw bad('it has no cleanup rule');
  }
  if (
    'partitions' in cleanup &&
    !cleanup.partitions.every((p) => isSafeRelative(p) && PARTITION_PATH.test(p))
  ) {
    throw bad('its cleanup names a path outside the tables');
  }
  if (!j.successTables.every((t) => tables.includes(t))) throw bad('it names an unknown table');
  return j as CommitJournal;
}

/**
 * Makes the staged run the dataset. Order and the reader window:
 * 1. the journal is fsync'd (until then nothing visible changed: a crash leaves the old dataset);
 * 2. every path is checked (inside the root, no symlink), partition dirs are created and the new
 *    manifest is written to its temp file: what needs disk space happens before any visible change;
 * 3. every staged file is renamed into its partition directory (names carry the run id, so no
 *    old file is overwritten), in parallel batches;
 * 4. `_manifest.json` is replaced atomically: the commit point (readers that follow the manifest
 *    switch here, from exactly the old version to exactly the new one);
 *    then `_views.duckdb.sql` is rewritten (atomically) from it;
 * 5. files not in the new manifest are unlinked, empty partition dirs removed;
 * 6. `_SUCCESS` is written per table and the staging dir removed.
 * A failure before step 4 is rolled back when `rollback` is set (the live run: renamed files go
 * back to staging, the journal is deleted; the lake is as it was); a kill is rolled forward by the
 * next run from the journal. A failure after step 4 throws {@link CommittedWithCleanupError}: the
 * new dataset is committed, and the journal stays so the next run finishes steps 5–6. A reader
 * that globs `<out>/<table>/**` may see old and new files together between the first rename and
 * the end of step 5 (metadata operations only: milliseconds for hundreds of files).
 */
export async function applyCommit(
  out: string,
  journal: CommitJournal,
  options: CommitHooks & { rollback?: boolean } = {},
): Promise<void> {
  const step = async (name: CommitStep) => options.onStep?.(name);
  const checked = checkJournal(journal, journal.runId);
  const renamed: { from: string; to: string }[] = [];
  const created: string[] = [];
  let manifestTemp: string | undefined;
  const manifestText = `${JSON.stringify(checked.manifest, null, 2)}\n`;
  try {
    await step('journal');
    // Every directory a step touches is checked once, before any change (no link, inside `out`).
    await confined(out, MANIFEST_NAME, 'the manifest');
    const dirs = [...new Set(checked.renames.map((r) => parentRel(r.to)))];
    const cleanupDirs = 'tables' in checked.cleanup ? [...TABLE_NAMES] : checked.cleanup.partitions;
    const fromDirs = new Set(checked.renames.map((r) => parentRel(r.from)));
    for (const dir of [...dirs, ...cleanupDirs, ...fromDirs]) await confined(out, dir, 'a dataset dir');
    const moves = checked.renames.map((r) => ({
      from: datasetPath(out, r.from),
      to: datasetPath(out, r.to),
      rel: r.from,
    }));
    for (const dir of dirs) {
      const path = datasetPath(out, dir);
      if (!(await exists(path))) created.push(path);
      await makeDir(path);
    }
    manifestTemp = await prepareFileAtomic(out, MANIFEST_NAME, manifestText, checked.runId);
    await step('manifest-staged');
    for (let i = 0; i < moves.length; i += MAX_RENAME_CONCURRENCY) {
      await Promise.all(
        moves.slice(i, i + MAX_RENAME_CONCURRENCY).map(async (m) => {
          if (await renameIfPresent(m.from, m.to, m.rel)) renamed.push(m);
        }),
      );
      if (i === 0) await step('first-rename');
    }
    if (moves.length === 0) await step('first-rename');
    for (const dir of dirs) await fsyncDir(datasetPath(out, dir));
    await step('renamed');
    await rename(manifestTemp, datasetPath(out, MANIFEST_NAME));
    manifestTemp = undefined;
  } catch (error) {
    if (!options.rollback) throw error;
    await rollBack(out, checked, renamed, created, manifestTemp, error);
    throw error;
  }
  try {
    // After the switch, so a failed run never changes the views; a kill before this line is
    // rolled forward by the next run's recover(), which rewrites them from the same journal.
    await writeReaderViews(out, checked.manifest, checked.runId);
    await fsyncDir(out);
    await step('manifest');
    await removeUnlisted(out, checked);
    await step('cleaned');
    await writeSuccess(out, checked);
    await step('success');
    await rm(datasetPath(out, stagingRel(checked.runId)), { recursive: true, force: true });
  } catch (error) {
    throw new CommittedWithCleanupError(
      `The run was committed (${MANIFEST_NAME} lists it) but cleaning up after it failed (${errnoOf(error)}); files of the previous version may remain beside it until the next run on ${out} finishes the cleanup`,
      { cause: error },
    );
  }
}

/** Writes `_views.duckdb.sql`: the typed views of the tables that have files in `manifest`. */
async function writeReaderViews(out: string, manifest: DatasetManifest, runId: string): Promise<void> {
  await confined(out, VIEWS_NAME, 'the reader views');
  // A view over a table without files would fail to create in DuckDB ("No files found").
  const tables = TABLE_NAMES.filter((t) => (manifest.tables[t]?.files ?? 0) > 0);
  const sql = duckdbViewsSql({ format: manifest.format, tables });
  await writeFileAtomic(out, VIEWS_NAME, sql, runId);
}

/** Undoes steps 2–3 of a failed live commit: the lake is exactly as before it. */
async function rollBack(
  out: string,
  journal: CommitJournal,
  renamed: { from: string; to: string }[],
  created: string[],
  manifestTemp: string | undefined,
  cause: unknown,
): Promise<void> {
  try {
    for (const m of renamed.reverse()) await rename(m.to, m.from);
    for (const dir of created.reverse()) await rmdir(dir).catch(() => undefined);
    if (manifestTemp !== undefined) await unlink(manifestTemp).catch(() => undefined);
    // Without its journal the run is an aborted one again: the next start deletes its staging.
    await unlink(datasetPath(out, journalRel(journal.runId)));
  } catch (error) {
    throw new SinkError(
      `The commit failed (${errnoOf(cause)}) and could not be undone (${errnoOf(error)}); the next run on ${out} finishes it from its journal`,
      { cause: error },
    );
  }
}

/**
 * Run at start, under the lock: finishes commits interrupted after their journal was written
 * and deletes everything else a crashed run left (staging dirs, temp files), except the staging
 * dir of `keepRunId` (the starting run's own, when it adopted a checkpoint). Never follows a
 * symbolic link: a link planted as `_staging` or as a run's dir is refused, not emptied.
 */
export async function recover(out: string, keepRunId?: string): Promise<void> {
  const staging = await confined(out, STAGING_DIR, 'the staging dir');
  const runs = await readdir(staging).catch(() => [] as string[]);
  for (const runId of runs) {
    if (runId === keepRunId) continue;
    const runDir = await confined(out, stagingRel(runId), 'a staging dir');
    const journalPath = await confined(out, journalRel(runId), 'a commit journal');
    const journalText = await readFile(journalPath, 'utf8').catch(() => undefined);
    if (journalText !== undefined) {
      let journal: unknown;
      try {
        journal = JSON.parse(journalText);
      } catch (error) {
        throw new SinkError(`Corrupt commit journal of run ${runId}`, { cause: error });
      }
      await applyCommit(out, checkJournal(journal, runId)).catch((error: unknown) => {
        // The roll-forward reached the new manifest: what failed was cleanup, finished next time.
        if (!(error instanceof CommittedWithCleanupError)) throw error;
      });
    } else {
      // rm() removes a link itself, never its target; confined() already refused links above.
      await rm(runDir, { recursive: true, force: true });
    }
  }
  for (const entry of await readdir(out, { withFileTypes: true })) {
    if (isTempName(entry.name) && !entry.isDirectory()) {
      await unlink(datasetPath(out, entry.name)).catch(() => undefined);
    }
  }
}

/** Renames a staged file into place; false when it is already gone (a replay after a crash). */
async function renameIfPresent(from: string, to: string, rel: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SinkError(`Cannot move ${rel} into place (${errnoOf(error)})`, { cause: error });
  }
}

async function writeSuccess(out: string, journal: CommitJournal): Promise<void> {
  for (const table of TABLE_NAMES) {
    if (journal.successTables.includes(table)) {
      const tableDir = await confined(out, table, 'a table dir');
      await makeDir(tableDir);
      const body = `${JSON.stringify({ runId: journal.runId, committedAt: journal.manifest.committedAt })}\n`;
      await writeFileAtomic(tableDir, SUCCESS_NAME, body, journal.runId);
    } else if ('tables' in journal.cleanup) {
      // Overwrite replaced the whole dataset: a table this run did not write is no longer complete.
      const marker = await confined(out, `${table}/${SUCCESS_NAME}`, 'a _SUCCESS marker');
      await unlink(marker).catch(() => undefined);
    }
  }
}

async function removeUnlisted(out: string, journal: CommitJournal): Promise<void> {
  const keep = new Set(journal.manifest.files.map((f) => f.path));
  const partitions: string[] = [];
  if ('tables' in journal.cleanup) {
    for (const table of TABLE_NAMES) {
      const dir = await confined(out, table, 'a table dir');
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      // The table dir itself holds the part files of grain `none` (and `_SUCCESS`, kept below).
      if (entries.length > 0) partitions.push(table);
      for (const entry of entries) {
        // A link planted as a partition is not ours: never listed, so never emptied.
        if (entry.isDirectory() && PARTITION_DIR_NAME.test(entry.name))
          partitions.push(`${table}/${entry.name}`);
      }
    }
  } else {
    partitions.push(...journal.cleanup.partitions);
  }
  for (const partition of partitions) {
    const dir = await confined(out, partition, 'a partition dir');
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const doomed = entries
      .filter((e) => !e.isDirectory())
      .map((e) => e.name)
      .filter((name) => {
        if (name.startsWith('.')) return isTempName(name);
        // In a table dir (grain none) only part files are data: nothing else there is touched.
        if (!partition.includes('/') && !name.startsWith('part-')) return false;
        return !name.startsWith('_') && !keep.has(`${partition}/${name}`);
      });
    await Promise.all(doomed.map((name) => unlink(datasetPath(dir, name)).catch(() => undefined)));
    // A table dir stays (its `_SUCCESS` is rewritten next); an emptied partition dir goes.
    if (entries.length === doomed.length && partition.includes('/')) await rmdir(dir).catch(() => undefined);
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

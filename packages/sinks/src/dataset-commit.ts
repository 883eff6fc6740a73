import { mkdir, readdir, readFile, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SinkError } from '@omnidim-stream/core';
import { TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import { type DatasetManifest, fsyncDir, MANIFEST_NAME, writeFileAtomic } from './manifest.js';

/** Directory (under the dataset root) where runs stage their files. */
export const STAGING_DIR = '_staging';
/** The commit journal inside a run's staging dir; its presence means "this run committed". */
export const JOURNAL_NAME = '_commit.json';
/** Spark's completion marker, one per table directory. */
export const SUCCESS_NAME = '_SUCCESS';

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
   * partitions this run wrote (`replacePartitions`), as `table/date=…` paths.
   */
  cleanup: { tables: 'all' } | { partitions: string[] };
  /** Tables that get a fresh `_SUCCESS`. */
  successTables: TableName[];
}

const MAX_RENAME_CONCURRENCY = 16;

/**
 * Makes the staged run the dataset. Order and the reader window:
 * 1. the journal is fsync'd (until then nothing visible changed: a crash leaves the old dataset);
 * 2. every staged file is renamed into its partition directory (names carry the run id, so no
 *    old file is overwritten), in parallel batches;
 * 3. `_manifest.json` is replaced atomically (readers that follow the manifest switch here);
 * 4. files not in the new manifest are unlinked, empty partition dirs removed;
 * 5. `_SUCCESS` is written per table and the staging dir removed.
 * A reader that globs `<out>/<table>/**` may see old and new files together only between the
 * first rename of step 2 and the last unlink of step 4: metadata operations only, no data is
 * copied, so the window is a few milliseconds for hundreds of files. Idempotent: the next run
 * repeats it from the journal after a crash.
 */
export async function applyCommit(out: string, journal: CommitJournal): Promise<void> {
  const dirs = new Set(journal.renames.map((r) => parentOf(r.to)));
  for (const dir of dirs) await mkdir(join(out, ...dir.split('/')), { recursive: true });
  for (let i = 0; i < journal.renames.length; i += MAX_RENAME_CONCURRENCY) {
    await Promise.all(
      journal.renames
        .slice(i, i + MAX_RENAME_CONCURRENCY)
        .map(({ from, to }) => renameIfPresent(out, from, to)),
    );
  }
  for (const dir of dirs) await fsyncDir(join(out, ...dir.split('/')));
  await writeFileAtomic(out, MANIFEST_NAME, `${JSON.stringify(journal.manifest, null, 2)}\n`, journal.runId);
  await removeUnlisted(out, journal);
  for (const table of TABLE_NAMES) {
    const marker = join(out, table, SUCCESS_NAME);
    if (journal.successTables.includes(table)) {
      await mkdir(join(out, table), { recursive: true });
      await writeFile(
        marker,
        `${JSON.stringify({ runId: journal.runId, committedAt: journal.manifest.committedAt })}\n`,
      );
    } else if (journal.cleanup !== undefined && 'tables' in journal.cleanup) {
      // Overwrite replaced the whole dataset: a table this run did not write is no longer complete.
      await unlink(marker).catch(() => undefined);
    }
  }
  await rm(join(out, STAGING_DIR, journal.runId), { recursive: true, force: true });
}

/**
 * Run at start, under the lock: finishes commits interrupted after their journal was written
 * and deletes everything else a crashed run left (staging dirs, temp files), except the staging
 * dir of `keepRunId` (the starting run's own, when it adopted a checkpoint).
 */
export async function recover(out: string, keepRunId?: string): Promise<void> {
  const staging = join(out, STAGING_DIR);
  const runs = await readdir(staging).catch(() => [] as string[]);
  for (const runId of runs) {
    if (runId === keepRunId) continue;
    const journalText = await readFile(join(staging, runId, JOURNAL_NAME), 'utf8').catch(() => undefined);
    if (journalText !== undefined) {
      let journal: CommitJournal;
      try {
        journal = JSON.parse(journalText) as CommitJournal;
      } catch (error) {
        throw new SinkError(`Corrupt commit journal of run ${runId}`, { cause: error });
      }
      await applyCommit(out, journal);
    } else {
      await rm(join(staging, runId), { recursive: true, force: true });
    }
  }
  for (const name of await readdir(out)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await unlink(join(out, name)).catch(() => undefined);
  }
}

async function renameIfPresent(out: string, from: string, to: string): Promise<void> {
  try {
    await rename(join(out, ...from.split('/')), join(out, ...to.split('/')));
  } catch (error) {
    // ENOENT on a replay: this rename already happened before the crash.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SinkError(`Cannot move ${from} into place`, { cause: error });
    }
  }
}

async function removeUnlisted(out: string, journal: CommitJournal): Promise<void> {
  const keep = new Set(journal.manifest.files.map((f) => f.path));
  const partitions: string[] = [];
  if ('tables' in journal.cleanup) {
    for (const table of TABLE_NAMES) {
      const entries = await readdir(join(out, table), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (entry.isDirectory() && entry.name.startsWith('date=')) partitions.push(`${table}/${entry.name}`);
      }
    }
  } else {
    partitions.push(...journal.cleanup.partitions);
  }
  for (const partition of partitions) {
    const dir = join(out, ...partition.split('/'));
    const names = await readdir(dir).catch(() => [] as string[]);
    const doomed = names.filter((name) => {
      if (name.startsWith('.')) return name.endsWith('.tmp');
      return !name.startsWith('_') && !keep.has(`${partition}/${name}`);
    });
    await Promise.all(doomed.map((name) => unlink(join(dir, name)).catch(() => undefined)));
    if (names.length === doomed.length) await rmdir(dir).catch(() => undefined);
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/**
 * The one place that names and builds every path of a dataset, and turns a dataset-relative path
 * into a real path (dlt's filesystem `layout.py` plays this role there):
 *
 * ```
 * <out>/_manifest.json  _lock  .<name>.<tag>.tmp            (root files)
 * <out>/<table>/<partition>/part-<runId>-<n>.<ext>          (data)   <out>/<table>/_SUCCESS
 * <out>/_staging/<runId>/<table>/<partition>/part-….<ext>.staged (staged data)
 * ```
 *
 * `<partition>` is `date=YYYY-MM-DD`, `month=YYYY-MM-01` or `year=YYYY` (partition.ts builds it
 * from the lake's grain); at grain `none` there is none and part files sit in `<table>/`.
 *
 * ```
 * <out>/_staging/<runId>/_commit.json  _checkpoint.json  <sidecar staged path>
 * ```
 *
 * The `*Rel` builders return dataset-relative `/`-separated paths (what journals, checkpoints
 * and manifests store); {@link datasetPath} and {@link confined} turn them into real paths.
 * Paths the dataset reads from its own files (a commit journal, a checkpoint, a manifest) may
 * have been forged or planted; every such path goes through {@link confined} before it is read,
 * written, renamed or deleted:
 * - it must be relative, `/`-separated, without empty, `.` or `..` segments;
 * - no existing component under the root may be a symbolic link (a link planted as `_staging`,
 *   a table directory or a partition would make a delete or a write land outside `--out`);
 *   at open, {@link refuseLinksInTables} also refuses a link planted as a partition the run
 *   does not touch.
 * The root itself (`--out`) may be a link: the user chose it.
 * Anything else is refused with a {@link SinkError} (exit 6) before any change.
 */
import { lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, parse, resolve } from 'node:path';
import { SinkError } from './errors.js';

/** Mode of every file the dataset creates: it holds personal data (owner read/write only). */
export const FILE_MODE = 0o600;
/** Mode of every directory the dataset creates (owner only). */
export const DIR_MODE = 0o700;

/** Directory (under the dataset root) where runs stage their files. */
export const STAGING_DIR = '_staging';
/** The commit journal inside a run's staging dir; its presence means "this run committed". */
export const JOURNAL_NAME = '_commit.json';
/** Name of the checkpoint inside a run's staging dir (starts with `_`: never data). */
export const CHECKPOINT_NAME = '_checkpoint.json';
/** Name of the manifest at the dataset root. */
export const MANIFEST_NAME = '_manifest.json';
/**
 * The typed DuckDB reader views beside the manifest (issue 17), rewritten atomically with every
 * commit from the new manifest.
 */
export const VIEWS_NAME = '_views.duckdb.sql';
/** Name of the lock file at the dataset root (starts with `_`: never data). */
export const LOCK_NAME = '_lock';
/** Spark's completion marker, one per table directory. */
export const SUCCESS_NAME = '_SUCCESS';
/**
 * Suffix of a part file while it is staged: keeps staged files out of any `**\/*.parquet`-style
 * glob over the root.
 */
export const STAGED_SUFFIX = '.staged';

/** Where a part file goes: its table, its partition dir (`date=…`, `''` at grain none) and its final file name. */
export interface PartFileRef {
  table: string;
  partition: string;
  name: string;
}

/** `<table>/<partition>`, or `<table>` at grain `none` (no partition directory). */
export function tablePartitionRel(table: string, partition: string): string {
  return partition === '' ? table : `${table}/${partition}`;
}

/** A partition directory name of any grain (`date=`, `month=`, `year=`), as listed in a table dir. */
export const PARTITION_DIR_NAME = /^(date|month|year)=[A-Za-z0-9_-]+$/;

/** A committed data file path: `<table>/<partition>/<name>`, or `<table>/part-…` at grain none. */
export const TABLE_FILE =
  /^(calls|interactions|function_calls|webhooks)\/(?:(?:date|month|year)=[A-Za-z0-9_-]+\/[^/]+|part-[^/]+)$/;

/** A partition path a commit may clean: `<table>/<partition>`, or `<table>` itself at grain none. */
export const PARTITION_PATH =
  /^(calls|interactions|function_calls|webhooks)(?:\/(?:date|month|year)=[A-Za-z0-9_-]+)?$/;

/** `part-<runId>-<seq>.<ext>`: names carry the run id, so a commit never overwrites an old file. */
export function partFileName(runId: string, seq: number, extension: string): string {
  return `${partFilePrefix(runId)}${String(seq).padStart(5, '0')}.${extension}`;
}

/** How the names of run `runId`'s part files start (they carry the run id: never overwritten). */
export function partFilePrefix(runId: string): string {
  return `part-${runId}-`;
}

/** `<table>/<partition>/<name>`: a part file's committed path. */
export function partFileRel(file: PartFileRef): string {
  return `${tablePartitionRel(file.table, file.partition)}/${file.name}`;
}

/** The partition dir name of a committed part file path (`month=…`), `''` at grain none. */
export function partitionOfPath(path: string): string {
  const segments = path.split('/');
  return segments.length === 3 ? segments[1]! : '';
}

/** `<table>/<partition>`: the partition dir of a committed path (its parent). */
export function parentRel(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/** `_staging/<runId>`, or a path inside it when `inside` (relative to the run's dir) is given. */
export function stagingRel(runId: string, inside?: string): string {
  return inside === undefined ? `${STAGING_DIR}/${runId}` : `${STAGING_DIR}/${runId}/${inside}`;
}

/** `<table>/<partition>/<name>.staged`, relative to a run's staging dir. */
export function stagedPartInRun(file: PartFileRef): string {
  return `${partFileRel(file)}${STAGED_SUFFIX}`;
}

/** `_staging/<runId>/<table>/<partition>/<name>.staged`: a staged part file. */
export function stagedPartRel(runId: string, file: PartFileRef): string {
  return stagingRel(runId, stagedPartInRun(file));
}

/**
 * The committed path of a staged part file (`_staging/<run>/<table>/<partition>/<name>.staged` →
 * `<table>/<partition>/<name>`), or undefined for any other path (a checkpoint, a sidecar).
 *
 * @example
 * committedRelOfStaged('_staging/r1/calls/date=2026-04-01/part-r1-00000.parquet.staged'); // 'calls/date=2026-04-01/part-r1-00000.parquet'
 */
export function committedRelOfStaged(rel: string): string | undefined {
  const segments = rel.split('/');
  if (segments[0] !== STAGING_DIR || segments.length < 4 || !rel.endsWith(STAGED_SUFFIX)) return undefined;
  const committed = segments.slice(2).join('/').slice(0, -STAGED_SUFFIX.length);
  return TABLE_FILE.test(committed) ? committed : undefined;
}

/** `_staging/<runId>/_commit.json`. */
export function journalRel(runId: string): string {
  return stagingRel(runId, JOURNAL_NAME);
}

/** The names at the root that a planted link could use to redirect the dataset outside `out`. */
export function fixedRootNames(tables: readonly string[]): string[] {
  return [LOCK_NAME, MANIFEST_NAME, VIEWS_NAME, STAGING_DIR, ...tables];
}

/**
 * `root` + a dataset-relative path, without checks: for paths this run built itself (run id and
 * names validated) or that {@link confined} already checked. Never for paths read from a file.
 */
export function datasetPath(root: string, rel: string): string {
  return join(root, ...rel.split('/'));
}

/** A temp sibling of `<dir>/<name>` (`.`-prefixed, so no reader or glob takes it for data). */
export function tempPath(dir: string, name: string, tag: string): string {
  return join(dir, `.${name}.${tag}.tmp`);
}

/** True for a temp file name made by {@link tempPath}. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

const SEGMENT = /^[A-Za-z0-9_=.-]+$/;

/** True for a relative `/`-separated path of plain segments (no `.`/`..`, no empty segment). */
export function isSafeRelative(path: unknown): path is string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 1024) return false;
  return path.split('/').every((s) => s !== '.' && s !== '..' && SEGMENT.test(s));
}

/**
 * `root` + `rel` after checking `rel` is a plain relative path and that none of its existing
 * components (the last one included) is a symbolic link. `what` names the file in the error.
 */
export async function confined(root: string, rel: string, what: string): Promise<string> {
  if (!isSafeRelative(rel)) {
    throw new SinkError(
      `Refusing ${what} ${JSON.stringify(String(rel).slice(0, 80))}: not a plain path inside the dataset`,
    );
  }
  let path = root;
  for (const segment of rel.split('/')) {
    path = join(path, segment);
    const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new SinkError(`Cannot inspect ${path} (${error.code ?? 'error'})`, { cause: error });
    });
    if (info === undefined) break;
    if (info.isSymbolicLink()) throw linkRefused(root, path, what);
  }
  return datasetPath(root, rel);
}

/**
 * Refuses a link planted directly inside a table directory (a partition `date=…`, `_SUCCESS`),
 * with one `readdir` per table (entries are `lstat`-typed, links not followed). {@link confined}
 * only sees the partitions a run writes: a link planted as a partition this run leaves alone
 * used to be kept in the manifest, its files gone, and glob readers went through it into
 * whatever it points at. The table directories themselves are checked by the caller
 * ({@link fixedRootNames}); a missing one has nothing to check.
 */
export async function refuseLinksInTables(root: string, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const dir = join(root, table);
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
      throw new SinkError(`Cannot inspect ${dir} (${error.code ?? 'error'})`, { cause: error });
    });
    for (const entry of entries) {
      if (entry.isSymbolicLink()) throw linkRefused(root, join(dir, entry.name), 'the dataset');
    }
  }
}

/** The error for a symbolic link found at `path` under `root`: names the path, says what to do. */
function linkRefused(root: string, path: string, what: string): SinkError {
  return new SinkError(
    `Refusing ${what}: ${path} is a symbolic link; the dataset never follows links inside ${root} (remove it)`,
  );
}

/**
 * `mkdir -p` that always ends: Node's own recursive mkdir loops forever on some pseudo file
 * systems (`--out /proc/x` spun at full CPU). Walks the missing components one by one, each
 * created with {@link DIR_MODE}; any failure is a {@link SinkError} naming the errno.
 */
export async function makeDir(dir: string): Promise<void> {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  // Bounded by the number of components: dirname() of the file system root is itself.
  while (at !== parse(at).root) {
    const exists = await stat(at).then(
      (s) => (s.isDirectory() ? true : 'file'),
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : error),
    );
    if (exists === true) break;
    if (exists === 'file') throw new SinkError(`Cannot create ${dir}: ${at} is not a directory (ENOTDIR)`);
    if (exists !== false)
      throw new SinkError(`Cannot create ${dir} (${exists.code ?? 'error'})`, { cause: exists });
    missing.push(at);
    at = dirname(at);
  }
  for (const path of missing.reverse()) {
    try {
      await mkdir(path, { mode: DIR_MODE });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another process created it in between: fine if it is a directory.
      if (
        code === 'EEXIST' &&
        (await stat(path).then(
          (s) => s.isDirectory(),
          () => false,
        ))
      )
        continue;
      throw new SinkError(`Cannot create ${dir} (${code ?? 'error'} at ${path})`, { cause: error });
    }
  }
}

/** {@link makeDir} for `rel` under `root`, after {@link confined} checked it. */
export async function makeConfinedDir(root: string, rel: string, what: string): Promise<string> {
  const path = await confined(root, rel, what);
  await makeDir(path);
  return path;
}

/** The errno of a file-system failure (also when wrapped in a SinkError's cause), for messages. */
export function errnoOf(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  for (const code of [e?.cause?.code, e?.code]) if (typeof code === 'string' && code !== 'SINK') return code;
  return error instanceof Error ? error.message : String(error);
}

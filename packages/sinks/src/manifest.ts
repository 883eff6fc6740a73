import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import type { TableName } from '@omnidim-stream/transform';
import { confined, datasetPath, FILE_MODE, MANIFEST_NAME, tempPath } from './dataset-layout.js';
import { SinkError } from './errors.js';
import { LEGACY_PARTITION_GRAIN, type PartitionGrain } from './partition.js';

export { MANIFEST_NAME } from './dataset-layout.js';

/** One committed data file. */
export interface ManifestFile {
  /** Path relative to the dataset root, `/`-separated: `calls/date=2024-05-01/part-….parquet`. */
  path: string;
  table: TableName;
  /**
   * The Hive partition values (`{ date }`, `{ month }`, `{ year }`; `{}` at grain `none`); the
   * value is null for the default partition.
   */
  partition: Record<string, string | null>;
  rows: number;
  bytes: number;
  sha256: string;
  /** The run that wrote the file (differs from the manifest's run for partitions kept by `replacePartitions`). */
  runId: string;
  /**
   * The object's ETag as its upload answered it, for a part file streamed to object storage
   * (absent for a file on disk or uploaded at the commit): the commit HEADs the run's own
   * objects and refuses one whose ETag or size changed since (staged-object-check.ts).
   */
  etag?: string;
}

/**
 * A file committed with the data but not part of any table: the quarantine of a run
 * (`_quarantine/<runId>.ndjson`), a raw archive (`raw/calls-<runId>.ndjson.gz`). Sidecars of
 * earlier runs stay listed as long as their files stay (no mode deletes them).
 */
export interface ManifestSidecar {
  /** Path relative to the dataset root, `/`-separated. */
  path: string;
  /** What it holds, e.g. `quarantine`, `raw`. */
  kind: string;
  /** Records (lines) in it. */
  records: number;
  bytes: number;
  sha256: string;
  runId: string;
}

/** Per-table totals of a committed dataset. */
export interface ManifestTable {
  schemaVersion: number;
  rows: number;
  files: number;
}

/** Totals the caller reports about the source (e.g. API `total_records`, calls read, duplicates); JSON values. */
export type SourceStats = Readonly<Record<string, unknown>>;

/** Contents of `_manifest.json`. */
export interface DatasetManifest {
  manifestVersion: 1;
  runId: string;
  mode: 'overwrite' | 'replacePartitions' | 'mergePartitions';
  /**
   * The lake's partition grain, fixed when it was created (absent in manifests written before
   * grains existed: those are `day`, see {@link manifestGrain}).
   */
  partitionBy?: PartitionGrain;
  format: 'ndjson' | 'csv' | 'parquet';
  compression: string;
  /**
   * The IANA time zone the API's wall times were read in (the dataset's `timeZone`): it decides
   * every `call_date` and timestamp. Absent in manifests written before issue 17.
   */
  timeZone?: string;
  startedAt: string;
  committedAt: string;
  /** What the caller passed as source totals (`sourceStats`), or null. */
  source: SourceStats | null;
  /** FlatCallLogs the run received. */
  callsReceived: number;
  tables: Partial<Record<TableName, ManifestTable>>;
  files: ManifestFile[];
  /** Non-table files committed with runs (absent in manifests written before sidecars existed). */
  sidecars?: ManifestSidecar[];
}

/**
 * Reads `<out>/_manifest.json`; `undefined` when there is none yet.
 *
 * @example
 * const manifest = await readManifest('./lake');
 * console.log(manifest?.tables.calls?.rows);
 */
export async function readManifest(out: string): Promise<DatasetManifest | undefined> {
  let text: string;
  const path = datasetPath(out, MANIFEST_NAME);
  try {
    // A link planted as the manifest would make the dataset read (and trust) a file outside it.
    if ((await lstat(path)).isSymbolicLink()) {
      throw new SinkError(`Refusing ${path}: it is a symbolic link (remove it)`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof SinkError) throw error;
    throw new SinkError(`Cannot read ${MANIFEST_NAME}`, { cause: error });
  }
  try {
    return JSON.parse(text) as DatasetManifest;
  } catch (error) {
    throw new SinkError(`${MANIFEST_NAME} is not valid JSON`, { cause: error });
  }
}

/** The partition grain a manifest's lake was created with. */
export function manifestGrain(manifest: DatasetManifest): PartitionGrain {
  return manifest.partitionBy ?? LEGACY_PARTITION_GRAIN;
}

/** A difference between the manifest and the files on disk. */
export interface ManifestMismatch {
  path: string;
  problem: 'missing' | 'bytes' | 'sha256';
}

/**
 * Re-checks every file of the manifest on disk (size and sha256). Row counts need a format
 * reader (DuckDB, hyparquet) and are left to the caller.
 *
 * @example
 * const problems = await verifyManifestFiles('./lake'); // [] when the dataset is intact
 */
export async function verifyManifestFiles(out: string): Promise<ManifestMismatch[]> {
  const manifest = await readManifest(out);
  if (!manifest) throw new SinkError(`No ${MANIFEST_NAME} in ${out}`);
  const problems: ManifestMismatch[] = [];
  for (const file of manifest.files) {
    // The manifest is read from disk: a forged path must not make this read outside `out`.
    const full = await confined(out, file.path, 'a manifest file');
    const size = await stat(full).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) problems.push({ path: file.path, problem: 'missing' });
    else if (size !== file.bytes) problems.push({ path: file.path, problem: 'bytes' });
    else if ((await sha256File(full)) !== file.sha256) problems.push({ path: file.path, problem: 'sha256' });
  }
  return problems;
}

/** Hex sha256 of a file's bytes. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * First half of {@link writeFileAtomic}: writes `data` to a new temp sibling of `<dir>/<name>`
 * (created exclusively, mode 0600: never through a planted file or link), fsyncs it and returns
 * its path; renaming it onto the name is the caller's atomic switch.
 */
export async function prepareFileAtomic(
  dir: string,
  name: string,
  data: string,
  tempTag: string,
): Promise<string> {
  const temp = tempPath(dir, name, tempTag);
  // A temp file left by a killed run of the same tag is ours: start it over.
  await unlink(temp).catch(() => undefined);
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

/**
 * Writes `data` to `path` atomically: a `.`/`_`-prefixed temp sibling, fsync, rename. Readers see
 * the old file or the new one, never a torn one. A link at `path` is replaced, never written through.
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  data: string,
  tempTag: string,
): Promise<void> {
  const temp = await prepareFileAtomic(dir, name, data, tempTag);
  try {
    await rename(temp, datasetPath(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dir);
}

/** fsync a directory so a rename in it survives a power loss; best effort where unsupported. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) cannot open or fsync directories; the rename is still atomic.
  }
}

/**
 * Crash resume, the adopting side (issue 6, "Crash resume"): a starting run, under the lock, looks
 * for a staging dir a crashed run left with a usable `_checkpoint.json` that its caller accepts,
 * and makes that dir its own (see `dataset-checkpoint.ts` for what a checkpoint holds).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, rename, rm } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type DatasetCheckpoint, readCheckpoint, type StagedFileInfo } from './dataset-checkpoint.js';
import {
  CHECKPOINT_NAME,
  confined,
  datasetPath,
  JOURNAL_NAME,
  STAGING_DIR,
  stagedPartInRun,
  stagingRel,
} from './dataset-layout.js';
import { SinkError } from './errors.js';
import { streamedPartHead } from './lake-file-fetch.js';
import { type ObjectHead, sameEtag } from './object-store.js';
import { pathExists } from './path-exists.js';

/** What {@link adoptCrashedRun} needs from the sink's options. */
export interface AdoptionHooks {
  /** Accepts (true) or refuses a checkpoint: the sink's `resume` option. */
  resume: (checkpoint: DatasetCheckpoint) => boolean | Promise<boolean>;
  /** Told why a crashed run's staging dir was not adopted. */
  onDiscard?: ((runId: string, reason: string) => void) | undefined;
}

/**
 * Tries the staging dirs of crashed runs under `root`, newest run id first, and adopts the first
 * one whose checkpoint `hooks.resume` accepts: it becomes `_staging/<runId>` (see
 * {@link adoptCheckpoint}). Returns the adopted checkpoint, or undefined. Dirs with a commit
 * journal are left to `recover()` (that run committed: it is rolled forward, not resumed).
 */
export async function adoptCrashedRun(
  root: string,
  runId: string,
  hooks: AdoptionHooks,
): Promise<DatasetCheckpoint | undefined> {
  const stagingRoot = await confined(root, STAGING_DIR, 'the staging dir');
  for (const crashed of (await readdir(stagingRoot).catch(() => [] as string[])).sort().reverse()) {
    if (crashed === runId) continue;
    const dir = await confined(root, stagingRel(crashed), 'a staging dir');
    if (!(await lstat(dir)).isDirectory()) continue;
    if (await pathExists(datasetPath(root, stagingRel(crashed, JOURNAL_NAME)))) continue;
    const checkpoint = await readCheckpoint(dir);
    if (!checkpoint) {
      hooks.onDiscard?.(crashed, `no usable ${CHECKPOINT_NAME}`);
      continue;
    }
    if (!(await hooks.resume(checkpoint))) {
      hooks.onDiscard?.(crashed, 'its checkpoint belongs to a different command');
      continue;
    }
    const problem = await adoptCheckpoint(stagingRoot, crashed, runId, checkpoint, (rel) =>
      streamedPartHead(root, rel),
    );
    if (problem !== undefined) {
      hooks.onDiscard?.(crashed, problem);
      continue;
    }
    return checkpoint;
  }
  return undefined;
}

/**
 * Makes `<staging>/<from>` the staging dir of run `to`: checks every listed file is there with
 * its size and content (a part file of the right size whose bytes changed since the checkpoint,
 * by a disk that lost writes, a second writer, a restored backup or by hand, would otherwise be
 * committed under the checkpoint's sha256: the manifest would lie), cuts the files that were
 * still growing and the sidecars to their checkpointed length, deletes every other file (written
 * after the checkpoint) and renames the dir. Returns a reason when the dir cannot be adopted (the
 * caller then discards it), undefined on success. A local file's content is checked by its
 * sha256; a listed file absent from the dir is looked up with `remoteHead` (its staged path): a
 * part file streamed to object storage, checked by its ETag (see {@link remoteProblem}).
 */
export async function adoptCheckpoint(
  stagingRoot: string,
  from: string,
  to: string,
  checkpoint: DatasetCheckpoint,
  remoteHead: (stagedRel: string) => Promise<ObjectHead | undefined> = async () => undefined,
): Promise<string | undefined> {
  const dir = datasetPath(stagingRoot, from);
  const keep = new Set<string>([CHECKPOINT_NAME]);
  for (const f of checkpoint.files) {
    const path = stagedPartInRun(f);
    // confined(): a link planted inside the staging dir must not redirect the checks below.
    const local = await lstat(await confined(dir, path, 'a checkpointed file')).then(
      (s) => (s.isFile() ? s.size : -1),
      () => undefined,
    );
    if (local === undefined) {
      const problem = remoteProblem(path, f, await remoteHead(stagingRel(from, path)));
      if (problem !== undefined) return problem;
    } else if (local !== f.bytes) {
      return `staged file ${path} is missing or has the wrong size`;
    } else if ((await sha256Of(datasetPath(dir, path))) !== f.sha256) {
      return `staged file ${path} differs from its checkpoint (sha256)`;
    } else {
      // The bytes are the checkpoint's; its row count must be theirs too (the manifest reports it).
      const problem = await rowsProblem(datasetPath(dir, path), path, f, f.bytes);
      if (problem !== undefined) return problem;
    }
    keep.add(path);
  }
  for (const f of checkpoint.growing) {
    const problem = await cutGrowingFile(dir, f);
    if (problem !== undefined) return problem;
    keep.add(stagedPartInRun(f));
  }
  for (const s of checkpoint.sidecars) {
    const full = await confined(dir, s.staged, 'a checkpointed sidecar');
    const size = await lstat(full).then(
      (st) => (st.isFile() ? st.size : -1),
      () => -1,
    );
    if (size < s.bytes) return `staged file ${s.staged} is shorter than its checkpoint`;
    // Bytes after the checkpoint belong to records whose rows were not checkpointed.
    if (size > s.bytes && !(await truncateRegular(full, s.bytes))) {
      return `staged file ${s.staged} could not be cut to its checkpoint`;
    }
    keep.add(s.staged);
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const path = relative(dir, datasetPath(entry.parentPath, entry.name)).split(sep).join('/');
    // Entries are listed without following links; rm() of a link removes the link only.
    if (!keep.has(path)) await rm(datasetPath(dir, path), { force: true });
  }
  if (from !== to) {
    try {
      await rename(dir, datasetPath(stagingRoot, to));
    } catch (error) {
      throw new SinkError(`Cannot adopt the staging dir of run ${from}`, { cause: error });
    }
  }
  return undefined;
}

/**
 * Why the checkpointed part file `f` (at `path` in the staging dir), streamed to object storage,
 * cannot be adopted as the object `head` describes (undefined: absent), or undefined when it can.
 * Hashing it would mean downloading it, so its ETag stands for its bytes: the one its upload's
 * completion answered, recorded in the checkpoint, must be the one a HEAD answers now (an object
 * replaced since, even by other bytes of the same size, gets another). A checkpoint without an
 * ETag (written before they were recorded, or by a server that sent none) is not trusted either:
 * the size alone is what let a replaced object through, and discarding costs one re-export,
 * never a call.
 */
function remoteProblem(path: string, f: StagedFileInfo, head: ObjectHead | undefined): string | undefined {
  if (head === undefined || head.size !== f.bytes)
    return `staged file ${path} is missing or has the wrong size`;
  if (f.etag === undefined) {
    return `staged file ${path} is in object storage and its checkpoint records no ETag to check it by`;
  }
  if (!sameEtag(head.etag, f.etag)) {
    return `staged file ${path} was replaced in object storage since its checkpoint (ETag ${head.etag || 'none'}, checkpointed ${f.etag})`;
  }
  return undefined;
}

/**
 * A part file the checkpoint caught open (`growing`): it must be local, at least as long as its
 * durable prefix, with that prefix's sha256; it is then truncated to the prefix (the bytes after
 * it hold rows of calls the checkpoint does not cover, which the resumed run fetches again).
 * Returns why it cannot be adopted, or undefined once it is cut.
 */
async function cutGrowingFile(
  dir: string,
  f: DatasetCheckpoint['growing'][number],
): Promise<string | undefined> {
  const path = stagedPartInRun(f);
  // Only plain NDJSON and CSV files keep growing across a checkpoint (staged-parts.ts).
  if (!/\.(ndjson|csv)$/.test(f.name)) return `staged file ${path} cannot be a growing file`;
  const full = await confined(dir, path, 'a checkpointed file');
  const size = await lstat(full).then(
    (s) => (s.isFile() ? s.size : -1),
    () => -1,
  );
  if (size < f.bytes) return `staged file ${path} is missing or shorter than its checkpoint`;
  if ((await sha256Of(full, f.bytes)) !== f.sha256) {
    return `staged file ${path} differs from its checkpoint (sha256 of its first ${f.bytes} bytes)`;
  }
  // Plain NDJSON and CSV rows end with a newline: a prefix cut elsewhere ends mid-row (the
  // commit's merge would then fail on every rerun, the review of 2026-12-01).
  if (f.bytes > 0 && !(await endsWithNewline(full, f.bytes))) {
    return `staged file ${path} is not cut at the end of a row at its checkpointed length`;
  }
  const problem = await rowsProblem(full, path, f, f.bytes);
  if (problem !== undefined) return problem;
  if (size > f.bytes && !(await truncateRegular(full, f.bytes))) {
    return `staged file ${path} could not be cut to its checkpoint`;
  }
  return undefined;
}

/**
 * Why the first `length` bytes of the plain NDJSON or CSV part file at `full` cannot hold the
 * `f.rows` rows its checkpoint records, or undefined when they can (a Parquet file is not
 * counted here). One line per NDJSON row (JSON text holds no raw newline); a CSV header line and
 * at least one line per record (a quoted cell may hold newlines). A count that does not fit would
 * fail the commit's merge check on every rerun, or be committed as the manifest's row count (the
 * review of 2026-12-01; a forged `rows` of a closed file, the hardening of 2026-12-01).
 */
async function rowsProblem(
  full: string,
  path: string,
  f: StagedFileInfo,
  length: number,
): Promise<string | undefined> {
  const ndjson = f.name.endsWith('.ndjson');
  if (!ndjson && !f.name.endsWith('.csv')) return undefined;
  const lines = await newlinesIn(full, length);
  const fits = ndjson ? lines === f.rows : lines === undefined || lines >= f.rows + 1;
  if (lines === undefined || !fits) {
    return `staged file ${path} does not hold the ${f.rows} rows its checkpoint records`;
  }
  return undefined;
}

/**
 * Cuts the regular file `path` to `length` through a handle opened without following a link
 * (truncate(path) follows one: a link swapped in after the lstat would cut a file outside the
 * staging dir, the review of 2026-12-01), and fsyncs the cut before the run goes on: otherwise a
 * power loss after the resumed run appended to the file (or wrote its next checkpoint) could
 * bring back the old tail, rows of calls the checkpoint does not cover, under the new rows.
 * False when it is not a regular file or cannot be cut.
 */
async function truncateRegular(path: string, length: number): Promise<boolean> {
  try {
    const file = await open(path, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await file.stat()).isFile()) return false;
      await file.truncate(length);
      await file.sync();
      return true;
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}

/** Newlines in the first `length` bytes of the regular file `path`, or undefined when unreadable. */
async function newlinesIn(path: string, length: number): Promise<number | undefined> {
  if (length === 0) return 0;
  try {
    const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await file.stat()).isFile()) return undefined;
      let count = 0;
      for await (const chunk of file.createReadStream({ start: 0, end: length - 1, autoClose: false })) {
        const bytes = chunk as Buffer;
        for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count++;
      }
      return count;
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
}

/** True when the byte before `length` in the regular file `path` is a newline (links not followed). */
async function endsWithNewline(path: string, length: number): Promise<boolean> {
  try {
    const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await file.stat()).isFile()) return false;
      const byte = Buffer.alloc(1);
      const { bytesRead } = await file.read(byte, 0, 1, length - 1);
      return bytesRead === 1 && byte[0] === 0x0a;
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}

/**
 * Hex sha256 of a regular file's bytes (its first `length` when given), or undefined when it cannot be read. A link is not
 * followed, and the file is checked to be regular once open: a FIFO swapped in after the size
 * check would otherwise block the open or the read (O_NONBLOCK does not change regular files).
 */
async function sha256Of(path: string, length?: number): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    if (!(await file.stat()).isFile()) {
      await file.close();
      return undefined;
    }
    // `end` is inclusive; an empty prefix reads nothing (end -1 would be refused).
    const range = length === undefined ? {} : { start: 0, end: Math.max(length - 1, 0) };
    if (length === 0) await file.close();
    else await pipeline(file.createReadStream(range), hash);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

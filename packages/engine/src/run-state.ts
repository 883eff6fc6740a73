import { lstat, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoOf, FILE_MODE, makeDir, SinkError } from '@omnidim-stream/sinks';
import { UsageError } from './errors.js';

/** Format version of {@link RunState}. */
export const RUN_STATE_VERSION = 1;

/** The newest call a committed run saw: where the next incremental run looks back from. */
export interface Watermark {
  /** Id of the newest call (the list is newest first: the first call read). */
  newestId: number | string | null;
  /** Its `time_of_call` read in the state's time zone, as an ISO instant; null if unparseable. */
  newestTime: string | null;
  /** Its `time_of_call` as the API wrote it. */
  newestTimeOfCall: string | null;
}

/**
 * The state file of incremental runs (`--state`, default `<out>/_state.json`), JSON. Written
 * atomically (temp file, fsync, rename) only after the run's data was committed; a failed run
 * never changes it. What must match the flags of the next run: `format`, `tables`, `timeZone`,
 * `filters` (a different set would leave the lake mixed; `--full` starts over).
 */
export interface RunState {
  version: typeof RUN_STATE_VERSION;
  /** The run that committed last, and when. */
  lastRunId: string;
  committedAt: string;
  /** Whether that run was a full export or an incremental one. */
  lastMode: 'full' | 'incremental';
  watermark: Watermark;
  timeZone: string;
  format: string;
  tables: string[];
  /** Core's canonical filter text (`agentid=…&call_status=…`), '' for none. */
  filters: string;
  pageSize: number;
  /** The `--lookback` of the last run (informational; each run may pass its own). */
  lookback: string;
  /** The dataset directory the state describes. */
  outDir: string;
  /**
   * The lake's partition grain (issue 16; absent in states written before it: `day`). The
   * manifest is what a run checks its `partitionBy` against; this copy tells a reader of the state.
   */
  partitionBy?: string;
}

/**
 * Reads the state file; `undefined` when it does not exist. A file that is not a state of this
 * version is a usage error (naming `--state`), never silently replaced.
 *
 * @example
 * ```ts
 * const state = await readRunState('lake/_state.json');
 * ```
 */
export async function readRunState(path: string): Promise<RunState | undefined> {
  let text: string;
  try {
    await refuseLink(path);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof SinkError) throw error;
    throw new UsageError(
      `--state: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let value: Partial<RunState>;
  try {
    value = JSON.parse(text) as Partial<RunState>;
  } catch {
    throw new UsageError(`--state: ${path} is not JSON; fix or delete it, or pass --full`);
  }
  if (
    value?.version !== RUN_STATE_VERSION ||
    typeof value.lastRunId !== 'string' ||
    typeof value.watermark !== 'object' ||
    value.watermark === null ||
    !Array.isArray(value.tables)
  ) {
    throw new UsageError(
      `--state: ${path} is not an omnidim-stream state file (version ${RUN_STATE_VERSION})`,
    );
  }
  return value as RunState;
}

/** What the flags say; compared with the state by {@link checkStateMatches}. */
export interface StateKey {
  timeZone: string;
  format: string;
  tables: readonly string[];
  filters: string;
}

/**
 * Throws a {@link UsageError} when the state was written by runs with another format, tables,
 * time zone or filters: continuing would mix two different exports in one lake.
 */
export function checkStateMatches(state: RunState, key: StateKey, path: string): void {
  const differences: string[] = [];
  if (state.format !== key.format) differences.push(`--format ${state.format} (now ${key.format})`);
  const before = [...state.tables].sort().join(',');
  const now = [...key.tables].sort().join(',');
  if (before !== now) differences.push(`--tables ${before} (now ${now})`);
  if (state.timeZone !== key.timeZone)
    differences.push(`--time-zone ${state.timeZone} (now ${key.timeZone})`);
  if (state.filters !== key.filters) {
    differences.push(`filters "${state.filters || 'none'}" (now "${key.filters || 'none'}")`);
  }
  if (differences.length > 0) {
    throw new UsageError(
      `--state: ${path} was written by runs with ${differences.join(', ')}; use the same flags, or pass --full to export everything again with the new ones`,
    );
  }
}

/** A state written to its temp file before the data commit; see {@link prepareRunState}. */
export interface PreparedRunState {
  /** Renames the temp file onto the state path (after the data was committed). */
  commit(): Promise<void>;
  /** Deletes the temp file (the run failed: the state stays as it was). */
  discard(): Promise<void>;
}

/**
 * First half of writing the state, run before the data commit so that a `--state` path that
 * cannot be written (missing permission, full disk, a link planted there) fails the run while
 * the lake is still untouched: writes the whole state to a temp file next to it
 * (`.<name>.<runId>.tmp`, mode 0600, removed by a dataset's recovery when it is inside `--out`)
 * and fsyncs it. {@link PreparedRunState.commit} is then one rename and a directory fsync.
 *
 * @example
 * ```ts
 * const prepared = await prepareRunState('lake/_state.json', state);
 * await commitData();
 * await prepared.commit();
 * ```
 */
export async function prepareRunState(path: string, state: RunState): Promise<PreparedRunState> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${state.lastRunId}.tmp`);
  try {
    await refuseLink(path);
    await makeDir(dir);
    await unlink(temp).catch(() => undefined);
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new SinkError(
      `--state: cannot write ${path} (${errnoOf(error)}); nothing was committed, the previous dataset and state are unchanged`,
      { cause: error },
    );
  }
  return {
    async commit() {
      try {
        await rename(temp, path);
        const dirHandle = await open(dir, 'r').catch(() => undefined);
        if (dirHandle) {
          await dirHandle.sync().catch(() => undefined);
          await dirHandle.close();
        }
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw new SinkError(
          `The data was committed but the state ${path} could not be written (${errnoOf(error)}); the next run re-reads more (still exactly once)`,
          { cause: error },
        );
      }
    },
    async discard() {
      await unlink(temp).catch(() => undefined);
    },
  };
}

/** A link planted as the state file would make the run read (and trust) a file outside. */
async function refuseLink(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    throw new SinkError(
      `${path} is a symbolic link; the state file is never read or written through a link (remove it)`,
    );
  }
}

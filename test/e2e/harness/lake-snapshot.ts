/**
 * "Whatever the code, a run that did not exit 0 leaves the lake and the state file exactly as
 * they were" (README, Exit codes): checked in ONE place. A snapshot is the sha256 of the bytes of
 * every file under the lake (`_manifest.json`, `_state.json`, `_lock`, `_quarantine/`, data files)
 * and of the state file when it lives elsewhere; mtimes are ignored, so only content counts.
 *
 * One exception, documented in the README: a failed run keeps its staging files under
 * `DIR/_staging/` so that the next run can resume from them. They are never data (no reader's glob
 * matches them), so they are left out; a regular FILE named `_staging` is compared like any other.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles } from './dataset.js';

/** Path → sha256 of its bytes; a missing state file is `null`. */
export type LakeSnapshot = Record<string, string | null>;

const STAGING_PREFIX = '_staging/';

async function hashOf(path: string): Promise<string | null> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  return bytes === null ? null : createHash('sha256').update(bytes).digest('hex');
}

/** Hashes every file under `lake` (staging dirs aside) and, when given, the state file. */
export async function snapshotLake(lake: string, stateFile?: string): Promise<LakeSnapshot> {
  const snapshot: LakeSnapshot = {};
  for (const file of await listFiles(lake)) {
    if (file.startsWith(STAGING_PREFIX)) continue;
    snapshot[`lake/${file}`] = await hashOf(join(lake, file));
  }
  if (stateFile !== undefined) snapshot['state file'] = await hashOf(stateFile);
  return snapshot;
}

/**
 * Throws, naming every file added, removed or changed (and `hint`), unless the lake and the state
 * file are byte for byte what `before` recorded.
 */
export async function expectLakeUnchanged(
  before: LakeSnapshot,
  lake: string,
  stateFile: string | undefined,
  hint: string,
): Promise<void> {
  const after = await snapshotLake(lake, stateFile);
  const problems: string[] = [];
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(path in after)) problems.push(`removed ${path}`);
    else if (!(path in before)) problems.push(`added ${path}`);
    else if (before[path] !== after[path]) problems.push(`changed ${path}`);
  }
  if (problems.length > 0) {
    throw new Error(`the lake or the state changed: ${problems.join(', ')} ${hint}`);
  }
}

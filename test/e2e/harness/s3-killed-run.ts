/**
 * A CLI run on an `s3://` target killed (SIGKILL) after a checkpoint reached the bucket: the
 * starting point of the object-storage resume scenarios. The checkpoint is read from s3rver's own
 * store on disk, never through the code under test.
 */
import { readFileSync } from 'node:fs';
import type { DatasetCheckpoint } from '@omnidim-stream/sinks';
import { expect } from 'vitest';
import { type CliRun, ROOT, spawnCli } from './run-cli.js';
import type { S3Scope } from './s3-scope.js';
import { describeRun } from './scenario.js';

/** A data (part) file key: under a table dir, not a `_` marker. */
export const isPart = (key: string) =>
  /^(calls|interactions|function_calls|webhooks)\/.*part-[^/]+$/.test(key);

/** What a killed run left in the bucket for the resume. */
export interface KilledRun {
  dead: CliRun;
  /** The checkpoint's key under the prefix (`_staging/<runId>/_checkpoint.json`). */
  checkpointKey: string;
  checkpoint: DatasetCheckpoint;
  /** The checkpoint's part files, as keys under the prefix, in its order. */
  checkpointed: string[];
}

/**
 * Spawns `omnidim-stream <argv>` on the dataset at `prefix` of the scope's bucket and kills it at
 * its first part-file request after its `checkpoints`-th checkpoint PUT; checks it died of the
 * kill and that the bucket holds a checkpoint whose files are all there at their listed sizes.
 */
export async function killAfterCheckpoint(
  scope: S3Scope,
  argv: readonly string[],
  env: Record<string, string>,
  prefix: string,
  checkpoints = 2,
): Promise<KilledRun> {
  let seen = 0;
  let killed = false;
  const run = spawnCli(argv, env, ROOT);
  scope.server.fault = (r) => {
    if (r.method === 'PUT' && r.key.endsWith('/_checkpoint.json')) seen++;
    else if (seen >= checkpoints && !killed && isPart(r.key.slice(prefix.length + 1))) {
      killed = true;
      run.child.kill('SIGKILL');
      return 'reset';
    }
    return undefined;
  };
  const dead = await run.done;
  scope.server.fault = undefined;
  expect(dead.signal, describeRun(dead)).toBe('SIGKILL');
  const objects = await scope.server.objects(prefix);
  const checkpointKey = [...objects.keys()].find((k) => k.endsWith('/_checkpoint.json'));
  expect(checkpointKey, [...objects.keys()].join(' ')).toBeDefined();
  const checkpoint = JSON.parse(readFileSync(objects.get(checkpointKey!)!, 'utf8')) as DatasetCheckpoint;
  const checkpointed = checkpoint.files.map((f) => `${f.table}/${f.partition}/${f.name}`);
  expect(checkpointed.length).toBeGreaterThan(0);
  for (const [i, key] of checkpointed.entries()) {
    expect(readFileSync(objects.get(key) ?? '/nonexistent').length, key).toBe(checkpoint.files[i]!.bytes);
  }
  return { dead, checkpointKey: checkpointKey!, checkpoint, checkpointed };
}

/**
 * Sink errors live in the sinks package (packages/sinks/src/errors.ts) and keep their stable
 * codes and core's brand, so `isOmnidimError()` and the CLI's code → exit-code mapping still
 * work; and every export the CLI, the engine and the examples use is still there, on the root
 * entry point and on the `./dataset` subpath.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isOmnidimError, OmnidimError } from '@omnidim-stream/core';
import * as sinks from '@omnidim-stream/sinks';
import {
  CommittedWithCleanupError,
  createDatasetSink,
  DatasetLockedError,
  SinkError,
} from '@omnidim-stream/sinks';
import * as datasetEntry from '@omnidim-stream/sinks/dataset';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('sink errors', () => {
  it('carry codes SINK / LOCKED and core brand', () => {
    const sink = new SinkError('disk full');
    const locked = new DatasetLockedError('held', { pid: 1, host: 'h', runId: 'r' });
    const cleanup = new CommittedWithCleanupError('left files', { cause: new Error('EIO') });
    expect(sink.code).toBe('SINK');
    expect(locked.code).toBe('LOCKED');
    expect(locked.holder).toEqual({ pid: 1, host: 'h', runId: 'r' });
    expect(cleanup.code).toBe('SINK');
    expect(cleanup).toBeInstanceOf(SinkError);
    expect((cleanup.cause as Error).message).toBe('EIO');
    for (const e of [sink, locked, cleanup]) {
      expect(isOmnidimError(e)).toBe(true);
      expect(e).toBeInstanceOf(OmnidimError);
    }
    expect(sink.name).toBe('SinkError');
    expect(locked.name).toBe('DatasetLockedError');
  });

  it('a dataset held by a live run fails ready() with the sinks DatasetLockedError (LOCKED)', async () => {
    const dir = await tempDir('locked');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    await mkdir(out);
    // This very process holds it: alive, same host, freshly written.
    await writeFile(
      join(out, '_lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), runId: 'other' }),
    );
    const sink = createDatasetSink({ out, format: 'ndjson' });
    const error = await sink.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    await sink.abort();
    expect(error).toBeInstanceOf(DatasetLockedError);
    expect((error as DatasetLockedError).code).toBe('LOCKED');
    expect((error as DatasetLockedError).holder.runId).toBe('other');
  });
});

// What the CLI (packages/cli/src), examples/ and the tests import from the sinks package.
const ROOT_EXPORTS = [
  'createDatasetSink',
  'DatasetSink',
  'checkpointRequest',
  'isCheckpointRequest',
  'readManifest',
  'verifyManifestFiles',
  'makeDir',
  'errnoOf',
  'confined',
  'FILE_MODE',
  'DIR_MODE',
  'MANIFEST_NAME',
  'CHECKPOINT_NAME',
  'LOCK_NAME',
  'STALE_LOCK_RULE',
  'COMMIT_STEPS',
  'partitionDir',
  'HIVE_DEFAULT_PARTITION',
  'SinkError',
  'DatasetLockedError',
  'CommittedWithCleanupError',
  'createCsvWriter',
  'createNdjsonWriter',
  'duckdbReadSql',
] as const;

describe('public exports', () => {
  it('the root entry point still exports what its users import', () => {
    const missing = ROOT_EXPORTS.filter((name) => (sinks as Record<string, unknown>)[name] === undefined);
    expect(missing).toEqual([]);
  });

  it('the ./dataset subpath exports the dataset API and the same classes', () => {
    const dataset = ROOT_EXPORTS.filter(
      (n) => !['createCsvWriter', 'createNdjsonWriter', 'duckdbReadSql'].includes(n),
    );
    const missing = dataset.filter((name) => (datasetEntry as Record<string, unknown>)[name] === undefined);
    expect(missing).toEqual([]);
    expect(datasetEntry.SinkError).toBe(sinks.SinkError);
    expect(datasetEntry.createDatasetSink).toBe(sinks.createDatasetSink);
    expect(sinks.FILE_MODE).toBe(0o600);
    expect(sinks.MANIFEST_NAME).toBe('_manifest.json');
    expect(sinks.LOCK_NAME).toBe('_lock');
    expect(sinks.CHECKPOINT_NAME).toBe('_checkpoint.json');
  });
});

/**
 * The check every object-storage scenario ends with: the bucket's objects under a prefix are
 * exactly the committed manifest's files and sidecars (plus the manifest, the state and the
 * `_SUCCESS` markers), every one readable by DuckDB, and no multipart upload left open.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetManifest } from '@omnidim-stream/sinks';
import { expect } from 'vitest';
import { checkDataset } from './dataset.js';
import type { S3Scope } from './s3-scope.js';
import { tempDir } from './scenario.js';

/** Downloads `prefix` into a fresh dir (removed after the test) and checks it; the dir and manifest. */
export async function expectExactlyTheManifest(
  scope: S3Scope,
  prefix: string,
  hint: string,
): Promise<{ dir: string; manifest: DatasetManifest }> {
  const target = await tempDir('s3-final');
  scope.cleanups.push(target.remove);
  const keys = await scope.server.download(prefix, target.path);
  const manifest = JSON.parse(await readFile(join(target.path, '_manifest.json'), 'utf8')) as DatasetManifest;
  const listed = [...manifest.files.map((f) => f.path), ...(manifest.sidecars ?? []).map((s) => s.path)];
  const control = (k: string) => k === '_manifest.json' || k === '_state.json' || k.endsWith('/_SUCCESS');
  expect(keys.filter((k) => !control(k)).sort(), hint).toEqual(listed.sort());
  await checkDataset(scope.reader, target.path, manifest.format, hint);
  expect(scope.server.unfinishedUploads(), hint).toEqual([]);
  return { dir: target.path, manifest };
}

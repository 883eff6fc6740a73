import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatasetSink } from '../src/index.js';
import { simulatedLogs, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function writeInto(out: string): Promise<unknown> {
  return pipeline(Readable.from(simulatedLogs(5)), createDatasetSink({ out, format: 'ndjson' })).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('a dataset that cannot be written fails with code SINK', () => {
  it('a regular file where the staging directory must go', async () => {
    const dir = await tempDir('sink-code');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    await mkdir(out);
    await writeFile(join(out, '_staging'), 'in the way');
    const error = await writeInto(out);
    expect((error as { code?: unknown }).code).toBe('SINK');
  });

  it('a regular file where the dataset directory must go', async () => {
    const dir = await tempDir('sink-code');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'not-a-dir');
    await writeFile(out, 'in the way');
    const error = await writeInto(out);
    expect((error as { code?: unknown }).code).toBe('SINK');
  });
});

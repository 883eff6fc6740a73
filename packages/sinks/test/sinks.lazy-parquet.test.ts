import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, tempDir } from './helpers.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('lazy');
});
afterAll(async () => dir.remove());

/** Runs the fixture in a fresh node and returns every module URL it resolved. */
async function loadedModules(entry: string): Promise<string[]> {
  const out = join(dir.path, entry);
  const log = join(dir.path, `${entry}.modules.log`);
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--import',
      join(fixtures, 'module-log.mjs'),
      join(fixtures, 'write-one-format.ts'),
      entry,
      out,
    ],
    { env: { ...process.env, MODULE_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  expect((await listFiles(out)).length).toBeGreaterThan(0);
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

describe('NDJSON users never load the Parquet code', () => {
  it('the ndjson entry point and an ndjson dataset load neither parquet.ts nor hyparquet-writer', async () => {
    for (const entry of ['ndjson', 'dataset-ndjson']) {
      const modules = await loadedModules(entry);
      expect(modules.some((u) => u.includes('/packages/sinks/src/'))).toBe(true);
      expect(
        modules.filter((u) => u.includes('hyparquet-writer') || u.endsWith('/sinks/src/parquet.ts')),
      ).toEqual([]);
    }
  });

  it('a parquet dataset does load hyparquet-writer (the check can fail)', async () => {
    const modules = await loadedModules('dataset-parquet');
    expect(modules.some((u) => u.includes('hyparquet-writer'))).toBe(true);
  });
});

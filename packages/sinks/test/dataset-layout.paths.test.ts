/**
 * dataset-layout.ts names and builds every path of a dataset (issue 15 part C). These tests pin
 * the layout a reader (DuckDB, a glob) and an older run's journal depend on, check that a real
 * run puts its files exactly there, and that no other sinks module builds paths by hand.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { checkpointRequest, createDatasetSink } from '@omnidim-stream/sinks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  confined,
  datasetPath,
  isTempName,
  journalRel,
  parentRel,
  partFileName,
  partFileRel,
  stagedPartRel,
  stagingRel,
  tempPath,
} from '../src/dataset-layout.js';
import { listFiles, simulatedLogs, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('dataset layout: path builders', () => {
  const file = { table: 'calls', partition: 'date=2024-05-01', name: 'part-r1-00003.parquet' };

  it('builds the committed, staged, journal and temp paths of the documented layout', () => {
    expect(partFileName('r1', 3, 'parquet')).toBe('part-r1-00003.parquet');
    expect(partFileName('r1', 123456, 'ndjson.gz')).toBe('part-r1-123456.ndjson.gz');
    expect(partFileRel(file)).toBe('calls/date=2024-05-01/part-r1-00003.parquet');
    expect(parentRel('calls/date=2024-05-01/part-r1-00003.parquet')).toBe('calls/date=2024-05-01');
    expect(stagingRel('r1')).toBe('_staging/r1');
    expect(stagingRel('r1', '_quarantine/x.ndjson')).toBe('_staging/r1/_quarantine/x.ndjson');
    expect(stagedPartRel('r1', file)).toBe('_staging/r1/calls/date=2024-05-01/part-r1-00003.parquet.staged');
    expect(journalRel('r1')).toBe('_staging/r1/_commit.json');
    expect(datasetPath('/lake', 'calls/date=2024-05-01/x')).toBe(
      join('/lake', 'calls', 'date=2024-05-01', 'x'),
    );
    expect(tempPath('/lake', '_manifest.json', 'r1')).toBe(join('/lake', '._manifest.json.r1.tmp'));
    expect(isTempName('._manifest.json.r1.tmp')).toBe(true);
    expect(isTempName('_manifest.json')).toBe(false);
  });

  it('confined() refuses paths that climb out or are absolute, naming what was refused', async () => {
    for (const bad of ['../x', 'calls/../../x', '/etc/passwd', 'calls//x', '']) {
      await expect(confined('/lake', bad, 'a test path')).rejects.toMatchObject({
        code: 'SINK',
        message: expect.stringContaining('Refusing a test path'),
      });
    }
  });
});

describe('dataset layout: a real run', () => {
  it('stages part files at the layout paths and commits them to partFileRel paths', async () => {
    const dir = await tempDir('layout');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    let staged: string[] = [];
    const sink = createDatasetSink({
      partitionBy: 'day',
      out,
      format: 'ndjson',
      runId: 'layoutrun',
      // Where the run's files are, seen from outside, once all are staged (before the commit).
      beforeCommit: async () => {
        staged = (await readdir(join(out, '_staging', 'layoutrun'), { recursive: true })).map((p) =>
          p.split('\\').join('/'),
        );
      },
    });
    async function* feed() {
      yield* simulatedLogs(6);
      yield checkpointRequest({ at: 6 });
    }
    await pipeline(Readable.from(feed()), sink);
    const manifest = JSON.parse(await readFile(join(out, '_manifest.json'), 'utf8')) as {
      files: { path: string; table: string; partition: { date: string | null } }[];
    };
    expect(manifest.files.length).toBeGreaterThan(0);
    for (const f of manifest.files) {
      const name = f.path.split('/').pop() ?? '';
      expect(name).toMatch(/^part-layoutrun-\d{5}\.ndjson$/);
      expect(f.path).toBe(`${f.table}/date=${f.partition.date ?? '__HIVE_DEFAULT_PARTITION__'}/${name}`);
      // It was staged at the staged-name of the same place, then renamed.
      expect(staged).toContain(
        `${f.table}/date=${f.partition.date ?? '__HIVE_DEFAULT_PARTITION__'}/${name}.staged`,
      );
    }
    expect(staged).toContain('_checkpoint.json');
    const onDisk = (await listFiles(out)).filter((p) => !p.startsWith('_') && !p.endsWith('_SUCCESS'));
    expect(onDisk.sort()).toEqual(manifest.files.map((f) => f.path).sort());
  });
});

describe('dataset layout: the one owner of dataset paths', () => {
  it('no other sinks module imports join/resolve from node:path to build a path by hand', async () => {
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    const offenders: string[] = [];
    for (const name of await readdir(src)) {
      if (!name.endsWith('.ts') || name === 'dataset-layout.ts') continue;
      const text = await readFile(join(src, name), 'utf8');
      const pathImport = /import\s*\{([^}]*)\}\s*from\s*'node:path'/.exec(text)?.[1] ?? '';
      const names = pathImport.split(',').map((s) => s.trim());
      if (names.includes('join') || names.includes('resolve')) offenders.push(name);
    }
    expect(offenders).toEqual([]);
  });
});

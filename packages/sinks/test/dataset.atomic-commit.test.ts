import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { IncompleteExportError, InvalidOptionError } from '@omnidim-stream/core';
import {
  createDatasetSink,
  type DatasetFormat,
  duckdbReadSql,
  readManifest,
  SinkError,
  verifyManifestFiles,
} from '@omnidim-stream/sinks';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { type FlatCallLog, SCHEMAS, TABLE_NAMES } from '@omnidim-stream/transform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_TYPES_SCHEMA, AWKWARD_ROWS, duck, listFiles, simulatedLogs, tempDir } from './helpers.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('atomic');
});
afterEach(async () => dir.remove());

const OLD = simulatedLogs(60, 3);
const NEW = simulatedLogs(90, 5);

async function exportLogs(out: string, logs: FlatCallLog[], format: DatasetFormat = 'parquet', extra = {}) {
  const sink = createDatasetSink({ partitionBy: 'day', out, format, ...extra });
  await pipeline(Readable.from(logs), sink);
  return sink;
}

/** Ids of the calls table as DuckDB reads the committed files (glob, like a lake reader). */
async function callIds(out: string, format: DatasetFormat = 'parquet'): Promise<number[]> {
  const sql = duckdbReadSql({ format, path: join(out, 'calls', '*', `*.${format}`), schema: SCHEMAS.calls });
  const rows = await duck(`SELECT id::DOUBLE AS id FROM ${sql} ORDER BY id`);
  return rows.map((r) => Number(r['id']));
}

function ids(logs: FlatCallLog[]): number[] {
  return logs.map((l) => l.callId).sort((a, b) => a - b);
}

/** Data files (not `_`/`.`-prefixed) under the table directories. */
async function dataFiles(out: string): Promise<string[]> {
  return (await listFiles(out)).filter((f) => {
    const name = f.split('/').pop()!;
    return TABLE_NAMES.some((t) => f.startsWith(`${t}/`)) && !name.startsWith('_') && !name.startsWith('.');
  });
}

/** A source that yields `logs`, then fails. */
async function* failingAfter(logs: FlatCallLog[]) {
  yield* logs;
  throw new Error('source broke');
}

describe('atomic commit', () => {
  it('a second export replaces the first only when it commits; old files are removed', async () => {
    const out = join(dir.path, 'lake');
    await exportLogs(out, OLD);
    const first = (await readManifest(out))!;
    expect(await callIds(out)).toEqual(ids(OLD));
    await exportLogs(out, NEW);
    const second = (await readManifest(out))!;
    expect(second.runId).not.toBe(first.runId);
    expect(await callIds(out)).toEqual(ids(NEW));
    expect(await dataFiles(out)).toEqual(second.files.map((f) => f.path).sort());
    expect(await verifyManifestFiles(out)).toEqual([]);
    expect((await listFiles(out)).filter((f) => f.startsWith('_staging') || f === '_lock')).toEqual([]);
  });

  it('a failing source leaves the previous dataset and manifest exactly as they were', async () => {
    const out = join(dir.path, 'lake');
    await exportLogs(out, OLD, 'csv');
    const before = await readFile(join(out, '_manifest.json'), 'utf8');
    const filesBefore = await listFiles(out);
    const sink = createDatasetSink({ partitionBy: 'day', out, format: 'csv', rowsPerFile: 10 });
    await expect(pipeline(Readable.from(failingAfter(NEW)), sink)).rejects.toThrow('source broke');
    // pipeline() settles before the destroyed sink has finished removing its staging files.
    await sink.abort();
    expect(await readFile(join(out, '_manifest.json'), 'utf8')).toBe(before);
    expect(await listFiles(out)).toEqual(filesBefore);
    expect(await callIds(out, 'csv')).toEqual(ids(OLD));
  });

  it('destroy() mid-run and a throwing beforeCommit abort without touching the dataset', async () => {
    const out = join(dir.path, 'lake');
    await exportLogs(out, OLD, 'ndjson');
    const filesBefore = await listFiles(out);

    const sink = createDatasetSink({ partitionBy: 'day', out, format: 'ndjson' });
    for (const log of NEW.slice(0, 30)) sink.write(log);
    await new Promise((resolve) => setImmediate(resolve));
    await sink.abort(new Error('user cancelled'));
    expect(await listFiles(out)).toEqual(filesBefore);

    const incomplete = createDatasetSink({
      partitionBy: 'day',
      out,
      format: 'ndjson',
      sourceStats: { totalRecords: 100 },
      beforeCommit: (summary) => {
        expect(summary.callsReceived).toBe(NEW.length);
        throw new IncompleteExportError(100 - summary.callsReceived, 'the API listed more calls');
      },
    });
    await expect(pipeline(Readable.from(NEW), incomplete)).rejects.toBeInstanceOf(IncompleteExportError);
    await incomplete.abort();
    expect(await listFiles(out)).toEqual(filesBefore);
    expect(await callIds(out, 'ndjson')).toEqual(ids(OLD));
  });

  it('a table writer destroyed mid-file leaves no file under its name', async () => {
    const destination = join(dir.path, 'calls.parquet');
    const writer = createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination, rowGroupRows: 2 });
    const opened = new Promise((resolve) => writer.once('ready', resolve));
    for (const row of AWKWARD_ROWS) await new Promise((resolve) => writer.write(row, resolve));
    // Mid-file: row groups went to the temp file, nothing is under the final name yet.
    expect(writer.bytesWritten).toBeGreaterThan(0);
    await opened;
    expect(await listFiles(dir.path)).toEqual([expect.stringMatching(/^\.calls\.parquet\.[0-9a-f]+\.tmp$/)]);
    writer.destroy();
    await new Promise((resolve) => writer.once('close', resolve));
    expect(await listFiles(dir.path)).toEqual([]);
  });

  it('replacePartitions replaces only the dates a run wrote', async () => {
    const out = join(dir.path, 'lake');
    await exportLogs(out, OLD);
    const lastDate = OLD[0]!.partitionDate!;
    const rerun = OLD.filter((l) => l.partitionDate === lastDate);
    const old = (await readManifest(out))!;
    await exportLogs(out, rerun, 'parquet', { mode: 'replacePartitions' });
    const manifest = (await readManifest(out))!;
    expect(manifest.mode).toBe('replacePartitions');
    expect(await callIds(out)).toEqual(ids(OLD));
    const kept = old.files.filter(
      (f) => f.partition.date !== lastDate || !rerun.some((l) => l.tables[f.table].length),
    );
    for (const f of kept) expect(manifest.files).toContainEqual(f);
    expect(
      manifest.files.filter((f) => f.runId === manifest.runId).every((f) => f.partition.date === lastDate),
    ).toBe(true);
    expect(await dataFiles(out)).toEqual(manifest.files.map((f) => f.path).sort());
    expect(await verifyManifestFiles(out)).toEqual([]);
  });

  it('null dates go to the Hive default partition; invalid dates and bad options fail before writing', async () => {
    const out = join(dir.path, 'lake');
    const [log] = simulatedLogs(1, 9);
    await exportLogs(out, [{ ...log!, partitionDate: null }], 'ndjson');
    const rows = await duck(
      `SELECT count(*)::INT AS n, any_value("date") IS NULL AS is_null FROM ${duckdbReadSql({ format: 'ndjson', path: join(out, 'calls', '*', '*.ndjson'), schema: SCHEMAS.calls })}`,
    );
    expect(rows).toEqual([{ n: 1, is_null: true }]);
    expect((await dataFiles(out))[0]).toMatch(/^calls\/date=__HIVE_DEFAULT_PARTITION__\//);

    const evil = createDatasetSink({ partitionBy: 'day', out: join(dir.path, 'evil'), format: 'ndjson' });
    await expect(
      pipeline(Readable.from([{ ...log!, partitionDate: '../../etc' }]), evil),
    ).rejects.toBeInstanceOf(SinkError);
    expect(await dataFiles(join(dir.path, 'evil'))).toEqual([]);

    expect(() => createDatasetSink({ partitionBy: 'day', out, format: 'orc' as never })).toThrow(
      InvalidOptionError,
    );
    expect(() =>
      createDatasetSink({ partitionBy: 'day', out, format: 'csv', compression: 'snappy' }),
    ).toThrow(/compression/);
    expect(() => createDatasetSink({ partitionBy: 'day', out, tables: ['calls', 'nope' as never] })).toThrow(
      InvalidOptionError,
    );
    expect(() => createDatasetSink({ partitionBy: 'day', out, rowsPerFile: 0 })).toThrow(InvalidOptionError);
    expect(() => createDatasetSink({ partitionBy: 'day', out, runId: '../x' })).toThrow(InvalidOptionError);
  });

  it('rejects a second concurrent run on the same dataset', async () => {
    const out = join(dir.path, 'lake');
    const first = createDatasetSink({ partitionBy: 'day', out, format: 'ndjson' });
    first.write(NEW[0]);
    await new Promise((resolve) => setImmediate(resolve));
    await first.ready();
    const second = createDatasetSink({ partitionBy: 'day', out, format: 'ndjson' });
    await expect(second.ready()).rejects.toThrow(/Another run/);
    await expect(pipeline(Readable.from(NEW), second)).rejects.toThrow(/Another run/);
    first.end();
    await new Promise((resolve) => first.once('finish', resolve));
    expect(await callIds(out, 'ndjson')).toEqual([NEW[0]!.callId]);
  });
});

describe('crash recovery', () => {
  it.each(['parquet', 'csv'] as const)(
    '%s: a SIGKILLed run leaves the previous dataset readable and its manifest matching the disk',
    async (format) => {
      const out = join(dir.path, 'lake');
      await exportLogs(out, OLD, format);
      const before = await readFile(join(out, '_manifest.json'), 'utf8');
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', join(fixtures, 'slow-export.ts'), out, format],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      // Kill once the child has closed several part files (rowsPerFile 40) into its staging dir.
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          if (/progress (\d{3,})/.test(d.toString())) resolve();
        });
        child.on('close', () => reject(new Error(`child exited early: ${stderr}`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      const staged = (await listFiles(out)).filter((f) => f.startsWith('_staging/'));
      expect(staged.length).toBeGreaterThan(0);

      // The previous dataset is intact: same manifest, files match it (size + sha256), rows re-counted.
      expect(await readFile(join(out, '_manifest.json'), 'utf8')).toBe(before);
      expect(await verifyManifestFiles(out)).toEqual([]);
      const manifest = (await readManifest(out))!;
      expect(await dataFiles(out)).toEqual(manifest.files.map((f) => f.path).sort());
      for (const file of manifest.files) {
        const sql = duckdbReadSql({
          format,
          path: join(out, file.path),
          schema: SCHEMAS[file.table],
          hivePartitioning: false,
        });
        const [row] = await duck(`SELECT count(*)::INT AS n FROM ${sql}`);
        expect(row!['n']).toBe(file.rows);
      }
      expect(await callIds(out, format)).toEqual(ids(OLD));

      // The next run takes over the stale lock and removes the orphaned staging files.
      await exportLogs(out, NEW, format);
      expect((await listFiles(out)).filter((f) => f.startsWith('_staging') || f === '_lock')).toEqual([]);
      expect(await callIds(out, format)).toEqual(ids(NEW));
    },
  );

  it('a commit interrupted after its journal is rolled forward by the next run', async () => {
    const out = join(dir.path, 'lake');
    await exportLogs(out, OLD, 'ndjson');
    // Simulate a kill between the journal and the renames: stage a run by hand from a real
    // export of NEW into a scratch dir, then write its journal.
    const scratch = join(dir.path, 'scratch');
    const staged = await exportLogs(scratch, NEW, 'ndjson', { runId: 'crashed-run' });
    const runDir = join(out, '_staging', 'crashed-run');
    const renames = [];
    for (const f of staged.manifest!.files) {
      const target = join(runDir, ...f.path.split('/'));
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(`${target}.staged`, await readFile(join(scratch, f.path)));
      renames.push({ from: `_staging/crashed-run/${f.path}.staged`, to: f.path });
    }
    const journal = {
      runId: 'crashed-run',
      renames: renames.slice(),
      manifest: staged.manifest,
      cleanup: { tables: 'all' },
      successTables: [...TABLE_NAMES],
    };
    await writeFile(join(runDir, '_commit.json'), JSON.stringify(journal));
    // Half the renames had happened when the process died.
    const { rename } = await import('node:fs/promises');
    for (const r of renames.slice(0, Math.floor(renames.length / 2))) {
      await mkdir(join(out, r.to, '..'), { recursive: true });
      await rename(join(out, r.from), join(out, r.to));
    }
    // Opening the dataset again finishes that commit before anything else.
    const next = createDatasetSink({ partitionBy: 'day', out, format: 'ndjson', tables: ['calls'] });
    await next.ready();
    expect((await readManifest(out))!.runId).toBe('crashed-run');
    expect(await verifyManifestFiles(out)).toEqual([]);
    expect(await callIds(out, 'ndjson')).toEqual(ids(NEW));
    await next.abort();
  });
});

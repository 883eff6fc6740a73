/**
 * Commit order (issues 12 and 14): the commit is killed (a real SIGKILL of a child process) or
 * fails (a throw in this process) after each of its steps. Whatever the step:
 * (a) a reader that follows `_manifest.json` sees exactly the previous version or exactly the
 *     new one, every listed file present with its size and sha256, never a mix;
 * (b) after the next start (recovery) the lake is consistent: the files on disk under the tables
 *     are exactly the manifest's, and every call of that version is there once (DuckDB glob).
 * A failure (not a kill) before the manifest switch is rolled back: the lake is byte-for-byte
 * the previous one and the run fails; after the switch the run counts as committed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { generateCallLog } from '@omnidim-stream/simulator';
import {
  COMMIT_STEPS,
  createDatasetSink,
  type DatasetFormat,
  duckdbReadSql,
  readManifest,
  verifyManifestFiles,
} from '@omnidim-stream/sinks';
import { type FlatCallLog, flattenCallLog, SCHEMAS, TABLE_NAMES } from '@omnidim-stream/transform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { duck, listFiles, simulatedLogs, snapshot, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/commit-crash.ts', import.meta.url));
const NEW_COUNT = 90;
/** What the child exports: the same logs as fixtures/commit-crash.ts (seed 5). */
const NEW: FlatCallLog[] = Array.from({ length: NEW_COUNT }, (_, k) =>
  flattenCallLog(generateCallLog(5, NEW_COUNT - 1 - k)),
);
const OLD = simulatedLogs(60, 3);

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('commit-order');
});
afterEach(async () => dir.remove());

async function exportLogs(out: string, logs: FlatCallLog[], format: DatasetFormat, extra = {}) {
  await pipeline(Readable.from(logs), createDatasetSink({ out, format, rowsPerFile: 20, ...extra }));
}

const sorted = (logs: FlatCallLog[]) => logs.map((l) => l.callId).sort((a, b) => a - b);

/** Call ids a manifest-following reader sees: it reads exactly the files `_manifest.json` lists. */
async function idsByManifest(out: string, format: DatasetFormat): Promise<number[]> {
  const manifest = (await readManifest(out))!;
  const ids: number[] = [];
  for (const file of manifest.files.filter((f) => f.table === 'calls')) {
    const sql = duckdbReadSql({
      format,
      path: join(out, file.path),
      schema: SCHEMAS.calls,
      hivePartitioning: false,
    });
    for (const r of await duck(`SELECT id::DOUBLE AS id FROM ${sql}`)) ids.push(Number(r['id']));
  }
  return ids.sort((a, b) => a - b);
}

/** Call ids a glob reader sees (every data file under the table dir). */
async function idsByGlob(out: string, format: DatasetFormat): Promise<number[]> {
  const sql = duckdbReadSql({ format, path: join(out, 'calls', '*', `*.${format}`), schema: SCHEMAS.calls });
  const rows = await duck(`SELECT id::DOUBLE AS id FROM ${sql} ORDER BY id`);
  return rows.map((r) => Number(r['id']));
}

async function dataFiles(out: string): Promise<string[]> {
  return (await listFiles(out)).filter((f) => {
    const name = f.split('/').pop()!;
    return TABLE_NAMES.some((t) => f.startsWith(`${t}/`)) && !name.startsWith('_') && !name.startsWith('.');
  });
}

/** (a): the manifest lists files that are all there, intact, and hold exactly one version. */
async function expectOneVersion(out: string, format: DatasetFormat, hint: string): Promise<'old' | 'new'> {
  expect(await verifyManifestFiles(out), hint).toEqual([]);
  const seen = await idsByManifest(out, format);
  const version = seen.length === NEW.length ? 'new' : 'old';
  expect(seen, hint).toEqual(sorted(version === 'new' ? NEW : OLD));
  return version;
}

/** (b): after recovery, the disk holds exactly the manifest's files and every call once. */
async function expectConsistent(out: string, format: DatasetFormat, version: 'old' | 'new', hint: string) {
  const manifest = (await readManifest(out))!;
  expect(await dataFiles(out), hint).toEqual(manifest.files.map((f) => f.path).sort());
  expect(await idsByGlob(out, format), hint).toEqual(sorted(version === 'new' ? NEW : OLD));
  expect(
    (await listFiles(out)).filter((f) => f.startsWith('_staging') || f === '_lock'),
    hint,
  ).toEqual([]);
}

describe('commit order: killed after each step', () => {
  it.each(COMMIT_STEPS.map((step) => [step] as const))(
    'SIGKILL after "%s": manifest readers see one whole version; the next start rolls forward to every call once',
    async (step) => {
      const format: DatasetFormat = 'ndjson';
      const out = join(dir.path, 'lake');
      await exportLogs(out, OLD, format);
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', fixture, out, format, step, String(NEW_COUNT)],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const [code, signal] = await once(child, 'close');
      const hint = `step ${step}: exit ${code} ${signal} ${stderr}`;
      expect(signal, hint).toBe('SIGKILL');
      // (a) right after the kill, before anything repairs the lake.
      const seen = await expectOneVersion(out, format, hint);
      const switched = COMMIT_STEPS.indexOf(step) >= COMMIT_STEPS.indexOf('manifest');
      expect(seen, hint).toBe(switched ? 'new' : 'old');
      // (b) the next start finishes the commit from its journal (every step is after it).
      const next = createDatasetSink({ out, format });
      await next.ready();
      await next.abort();
      expect(await expectOneVersion(out, format, hint)).toBe('new');
      await expectConsistent(out, format, 'new', hint);
    },
    60_000,
  );
});

describe('commit order: a failure at each step', () => {
  it.each(COMMIT_STEPS.map((step) => [step] as const))(
    'failure after "%s": before the manifest switch the lake is byte-for-byte the previous one and the run fails; after it the run is committed',
    async (step) => {
      const format: DatasetFormat = 'csv';
      const out = join(dir.path, 'lake');
      await exportLogs(out, OLD, format);
      const before = await snapshot(out);
      const warnings: string[] = [];
      const sink = createDatasetSink({
        out,
        format,
        rowsPerFile: 20,
        onWarning: (m) => warnings.push(m),
        onCommitStep: (at) => {
          if (at === step) throw Object.assign(new Error(`disk full at ${at}`), { code: 'ENOSPC' });
        },
      });
      const result = await pipeline(Readable.from(NEW), sink).then(
        () => 'committed',
        (error: Error) => error,
      );
      // pipeline() settles on the error; the sink removes its staging dir before 'close'.
      if (!sink.closed) await once(sink, 'close');
      const switched = COMMIT_STEPS.indexOf(step) >= COMMIT_STEPS.indexOf('manifest');
      if (!switched) {
        expect(result).toBeInstanceOf(Error);
        expect((result as Error & { code?: string }).code).toBe('SINK');
        expect(await snapshot(out)).toEqual(before);
        await expectConsistent(out, format, 'old', step);
      } else {
        expect(result).toBe('committed');
        expect(warnings.length).toBe(1);
        expect(warnings[0]).toMatch(/was committed/);
        expect(await expectOneVersion(out, format, step)).toBe('new');
        const next = createDatasetSink({ out, format });
        await next.ready();
        await next.abort();
        await expectConsistent(out, format, 'new', step);
      }
    },
    60_000,
  );
});

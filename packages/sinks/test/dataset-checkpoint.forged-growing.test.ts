/**
 * Hostile cases from the review of 2026-12-01: forged `_checkpoint.json` growing entries. A run writes 20 calls, checkpoints (its
 * NDJSON part files stay open: `growing`), writes 10 more and is stopped. The checkpoint is then
 * forged; a second run resumes (or discards), writes the calls the checkpoint does not cover and
 * commits. Whatever the forgery, the lake must hold each call exactly once and the manifest must
 * match its files, or the resume must be refused.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  checkpointRequest,
  createDatasetSink,
  readManifest,
  verifyManifestFiles,
} from '@omnidim-stream/sinks';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, simulatedLogs, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Entry {
  table: string;
  partition: string;
  name: string;
  bytes: number;
  rows: number;
  sha256: string;
}
interface Written {
  version: number;
  runId: string;
  calls: number;
  files: Entry[];
  growing: Entry[];
}

async function writeAll(sink: Writable, items: unknown[]): Promise<void> {
  for (const item of items) {
    await new Promise<void>((resolve, reject) => sink.write(item, (e) => (e ? reject(e) : resolve())));
  }
}

const stagedOf = (out: string, e: Entry) =>
  join(out, '_staging', 'first', e.table, e.partition, `${e.name}.staged`);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function scenario(label: string, forge: (c: Written, out: string) => Promise<Written>) {
  const dir = await tempDir(`r28-forge-${label}`);
  cleanups.push(dir.remove);
  const out = join(dir.path, 'lake');
  const logs = simulatedLogs(30);
  const first = createDatasetSink({ out, format: 'ndjson', runId: 'first', partitionBy: 'none' });
  first.on('error', () => undefined);
  await first.ready();
  await writeAll(first, [...logs.slice(0, 20), checkpointRequest({ at: 20 })]);
  await writeAll(first, logs.slice(20));
  first.destroy(new Error('SIGTERM'));
  await new Promise<void>((resolve) => first.once('close', () => resolve()));
  const path = join(out, '_staging', 'first', '_checkpoint.json');
  const checkpoint = JSON.parse(await readFile(path, 'utf8')) as Written;
  expect(checkpoint.growing.length).toBeGreaterThan(0);
  await writeFile(path, JSON.stringify(await forge(checkpoint, out)));
  const discarded: string[] = [];
  const second = createDatasetSink({
    out,
    format: 'ndjson',
    runId: 'second',
    partitionBy: 'none',
    resume: () => true,
    onDiscard: (_run, reason) => discarded.push(reason),
  });
  second.on('error', () => undefined);
  await second.ready();
  const from = second.resumedFrom?.calls ?? 0;
  await pipeline(Readable.from(logs.slice(from)), second);
  const [counts] = await duck(
    `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_json('${out}/calls/*.ndjson', format = 'newline_delimited')`,
  );
  const manifest = await readManifest(out);
  const manifestRows = manifest!.files.filter((f) => f.table === 'calls').reduce((s, f) => s + f.rows, 0);
  return {
    discarded,
    resumed: from,
    n: Number(counts!['n']),
    d: Number(counts!['d']),
    manifestRows,
    calls: manifest!.files.filter((f) => f.table === 'calls').map((f) => f.path),
    problems: await verifyManifestFiles(out),
  };
}

describe('forged growing entries', () => {
  it('the same growing file listed twice: each call once, manifest lists it once', async () => {
    const r = await scenario('twice', async (c) => ({ ...c, growing: [...c.growing, ...c.growing] }));
    expect({ n: r.n, d: r.d, manifestRows: r.manifestRows, problems: r.problems }).toEqual({
      n: 30,
      d: 30,
      manifestRows: 30,
      problems: [],
    });
    expect(new Set(r.calls).size).toBe(r.calls.length);
  });

  it('(control, not new) a closed file listed twice in files: each call once', async () => {
    const r = await scenario('files-twice', async (c, out) => {
      for (const g of c.growing) await truncate(stagedOf(out, g), g.bytes);
      return { ...c, files: [...c.growing, ...c.growing], growing: [] };
    });
    expect({ n: r.n, d: r.d, manifestRows: r.manifestRows, problems: r.problems }).toEqual({
      n: 30,
      d: 30,
      manifestRows: 30,
      problems: [],
    });
  });

  it('a growing file also listed (whole, as it is now) in files: each call once', async () => {
    const r = await scenario('both', async (c, out) => {
      const whole = await Promise.all(
        c.growing.map(async (g) => {
          const bytes = await readFile(stagedOf(out, g));
          return { ...g, bytes: bytes.length, sha256: sha(bytes), rows: g.rows + 10 };
        }),
      );
      return { ...c, files: [...c.files, ...whole] };
    });
    expect({ n: r.n, d: r.d, manifestRows: r.manifestRows, problems: r.problems }).toEqual({
      n: 30,
      d: 30,
      manifestRows: 30,
      problems: [],
    });
  });

  it('a version-1 checkpoint carrying a growing list is not adopted with it', async () => {
    const r = await scenario('v1', async (c) => ({ ...c, version: 1 }));
    expect({ n: r.n, d: r.d, problems: r.problems }).toEqual({ n: 30, d: 30, problems: [] });
    // A version-1 checkpoint has no growing files by definition (dataset-checkpoint.ts).
    expect(r.resumed).toBe(0);
  });

  it('bytes 0 with the empty sha256: each call once', async () => {
    const r = await scenario('zero', async (c) => ({
      ...c,
      growing: c.growing.map((g) => ({ ...g, bytes: 0, sha256: sha(Buffer.alloc(0)) })),
    }));
    expect({ n: r.n, d: r.d, problems: r.problems }).toEqual({ n: 30, d: 30, problems: [] });
  });

  it('a growing entry whose prefix ends mid-row (sha256 of that prefix): refused or each call once', async () => {
    const r = await scenario('midrow', async (c, out) => {
      const growing = await Promise.all(
        c.growing.map(async (g) => {
          const bytes = (await readFile(stagedOf(out, g))).subarray(0, g.bytes - 7);
          return { ...g, bytes: bytes.length, sha256: sha(bytes) };
        }),
      );
      return { ...c, growing };
    });
    expect({ n: r.n, d: r.d, problems: r.problems }).toEqual({ n: 30, d: 30, problems: [] });
  });

  it('negative or unsafe byte counts are refused', async () => {
    for (const bytes of [-1, 2 ** 60, 1.5]) {
      const r = await scenario(`bad${String(bytes).replace('.', '_')}`, async (c) => ({
        ...c,
        growing: c.growing.map((g) => ({ ...g, bytes })),
      }));
      expect(r.resumed).toBe(0);
      expect({ n: r.n, d: r.d }).toEqual({ n: 30, d: 30 });
    }
  });

  it('a symlink (to an intact copy outside) or a FIFO planted as the growing file: refused, no hang, outside file untouched', async () => {
    for (const kind of ['symlink', 'fifo'] as const) {
      let outside = '';
      let before = Buffer.alloc(0);
      const r = await scenario(`plant-${kind}`, async (c, out) => {
        for (const g of c.growing) {
          const p = stagedOf(out, g);
          if (kind === 'symlink') {
            outside = join(out, '..', `outside-${g.table}`);
            await copyFile(p, outside);
            before = await readFile(outside);
            await rm(p);
            await symlink(outside, p);
          } else {
            await rm(p);
            execFileSync('mkfifo', [p]);
          }
        }
        return c;
      }).catch((error: Error) => error);
      if (outside) expect((await readFile(outside)).equals(before)).toBe(true);
      // A link is refused by name (the operator removes it), as for closed files.
      if (r instanceof Error) {
        expect(r.message).toMatch(/is a symbolic link/);
        continue;
      }
      expect(r.resumed, kind).toBe(0);
      expect(r.discarded.join(' '), kind).toMatch(/missing|shorter/);
      expect({ n: r.n, d: r.d }).toEqual({ n: 30, d: 30 });
      if (outside) expect((await readFile(outside)).equals(before)).toBe(true);
    }
  });

  it('growing rows not matching its bytes (rows + 5): the commit neither fails forever nor lies', async () => {
    const r = await scenario('rows', async (c) => ({
      ...c,
      growing: c.growing.map((g) => ({ ...g, rows: g.rows + 5 })),
    })).catch((error: Error) => error);
    expect(r instanceof Error ? r.message : { n: r.n, d: r.d, manifestRows: r.manifestRows }).toEqual({
      n: 30,
      d: 30,
      manifestRows: 30,
    });
  });
});

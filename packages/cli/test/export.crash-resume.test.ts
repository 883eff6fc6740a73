import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { verifyManifestFiles } from '@omnidim-stream/sinks';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, envFor, listFiles, runMain, simulator, tempDir } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const ENTRY = join(HERE, 'fixtures/run-cli.ts');
const PAGE_SIZE = 50;

interface Checkpoint {
  state: { caller: { core: { emitted: number; position: number } } };
  files: unknown[];
}

/** The newest checkpoint a run has durably written in `<out>/_staging/*`, if any. */
async function readCheckpoint(out: string): Promise<Checkpoint | undefined> {
  const runs = await readdir(join(out, '_staging')).catch(() => [] as string[]);
  for (const run of runs) {
    const text = await readFile(join(out, '_staging', run, '_checkpoint.json'), 'utf8').catch(
      () => undefined,
    );
    if (text !== undefined) return JSON.parse(text) as Checkpoint;
  }
  return undefined;
}

function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * Waits until the child's checkpoint covers at least `emitted` calls (it writes one every few
 * pages), then SIGKILLs it. Polls the checkpoint file: the child has no other channel to say so.
 */
async function killAfterCheckpoint(child: ChildProcess, out: string, emitted: number): Promise<void> {
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the export ended before it could be killed: ${stderr}`);
    const checkpoint = await readCheckpoint(out);
    if (checkpoint && checkpoint.state.caller.core.emitted >= emitted) break;
    await delay(5);
  }
  child.kill('SIGKILL');
  await exited;
}

describe('crash resume: a SIGKILLed export resumes from its checkpoint and ends exactly once', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it('killed twice at different points, rerun: every call once, readable, no checkpointed page fetched again', async () => {
    sim = await simulator({ records: 1500, pageLatencyMs: 40, seed: 5 });
    const original = sim.ids();
    const dir = await tempDir('resume');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const args = [
      'export',
      '--out',
      out,
      '--page-size',
      String(PAGE_SIZE),
      '--concurrency',
      '1',
      '--checkpoint-pages',
      '2',
      '--json',
    ];

    // Kill 1: early; kill 2: further on. Calls keep arriving between the runs.
    for (const atLeast of [100, 700]) {
      const before = await readCheckpoint(out);
      const pagesBefore = sim.stats.pagesRequested.length;
      await killAfterCheckpoint(spawnCli(args, envFor(sim)), out, atLeast);
      const requested = sim.stats.pagesRequested.slice(pagesBefore);
      if (before) {
        // Pages wholly covered by the checkpoint this run resumed from were not fetched again.
        const covered = before.state.caller.core.position / PAGE_SIZE;
        expect(Number.isInteger(covered)).toBe(true);
        expect(Math.min(...requested)).toBeGreaterThan(covered);
      }
      // Nothing was published by a killed run.
      expect(await listFiles(out).then((f) => f.filter((p) => p.startsWith('calls/')))).toEqual([]);
      sim.insertCalls(7);
    }

    const last = await readCheckpoint(out);
    expect(last!.state.caller.core.emitted).toBeGreaterThanOrEqual(700);
    const pagesBefore = sim.stats.pagesRequested.length;
    const final = await runMain(args, { env: envFor(sim) });
    expect(final.stderr).toContain('resuming an interrupted run');
    expect(final.code).toBe(0);
    const summary = JSON.parse(final.stdout) as {
      resumedFrom: string | null;
      completeness: { missing: number; ended: boolean };
    };
    expect(summary.resumedFrom).not.toBeNull();
    expect(summary.completeness).toMatchObject({ ended: true, missing: 0 });
    const requested = sim.stats.pagesRequested.slice(pagesBefore);
    expect(Math.min(...requested)).toBeGreaterThan(last!.state.caller.core.position / PAGE_SIZE);

    // Exactly once: the view fixed by the first run (calls that arrived later are left to the next run).
    const glob = `read_parquet('${out}/calls/**/*.parquet', hive_partitioning = true)`;
    const [counts] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${glob}`);
    expect([Number(counts!['n']), Number(counts!['d'])]).toEqual([original.length, original.length]);
    const ids = (await duck(`SELECT id FROM ${glob} ORDER BY id DESC`)).map((r) => Number(r['id']));
    expect(ids).toEqual(original);
    // Every interaction row belongs to a call once: the interactions table is whole too.
    const [dup] = await duck(
      `SELECT count(*) AS n FROM (SELECT call_id, count(*) AS c FROM read_parquet('${out}/interactions/**/*.parquet') GROUP BY call_id, id HAVING c > 1)`,
    );
    expect(Number(dup!['n'])).toBe(0);
    // Every data file is listed, intact, and nothing is left in staging.
    expect(await verifyManifestFiles(out)).toEqual([]);
    expect((await listFiles(out)).filter((f) => f.startsWith('_staging') || f === '_lock')).toEqual([]);
  }, 120_000);

  /** A 600-call export, checkpointing every page, SIGKILLed once it checkpointed 100 calls. */
  async function killedAfter100(label: string, extra: string[]): Promise<{ out: string; base: string[] }> {
    sim = await simulator({ records: 600, pageLatencyMs: 40 });
    const dir = await tempDir(label);
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const base = [
      'export',
      '--out',
      out,
      '--page-size',
      '50',
      '--concurrency',
      '1',
      '--checkpoint-pages',
      '1',
    ];
    await killAfterCheckpoint(spawnCli([...base, ...extra], envFor(sim)), out, 100);
    return { out, base };
  }

  /** The rerun discarded the staging dir (for `reason`), read from page 1 and wrote all 600 calls once. */
  async function expectFreshRun(args: string[], out: string, reason: RegExp): Promise<void> {
    const pagesBefore = sim!.stats.pagesRequested.length;
    const rerun = await runMain(args, { env: envFor(sim!) });
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(reason);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ resumedFrom: null, records: 600 });
    expect(sim!.stats.pagesRequested.slice(pagesBefore)).toContain(1);
    const [row] = await duck(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_parquet('${out}/calls/**/*.parquet')`,
    );
    expect([Number(row!['n']), Number(row!['d'])]).toEqual([600, 600]);
  }

  it('a different command discards the stale staging (said on stderr) and starts fresh', async () => {
    const { out, base } = await killedAfter100('resume-other', ['--tables', 'calls']);
    await expectFreshRun(
      [...base, '--tables', 'calls,webhooks', '--json'],
      out,
      /discarding the unfinished run .* different command/,
    );
  }, 60_000);

  it('a checkpointed part file whose bytes changed (same size) is not adopted: the run starts fresh and the manifest holds', async () => {
    const { out, base } = await killedAfter100('resume-changed', []);
    // One byte in the middle of a checkpointed part file changes; its size does not.
    const staged = (await listFiles(out)).filter((f) => f.startsWith('_staging/') && f.endsWith('.staged'));
    expect(staged.length).toBeGreaterThan(0);
    const handle = await open(join(out, staged[0]!), 'r+');
    try {
      const { size } = await handle.stat();
      const at = Math.floor(size / 2);
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, at);
      byte[0] = byte[0]! ^ 0xff;
      await handle.write(byte, 0, 1, at);
    } finally {
      await handle.close();
    }
    await expectFreshRun(
      [...base, '--json'],
      out,
      /discarding the unfinished run .*differs from its checkpoint/,
    );
    expect(await verifyManifestFiles(out)).toEqual([]);
  }, 60_000);
});

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { duck, listFiles, problemLines, SECRET_KEY, simulator, tempDir } from './helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'packages/cli/bin/omnidim-stream.js');
const PACKAGES = ['core', 'transform', 'sinks', 'engine', 'simulator', 'cli'];

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Builds the packages (as `pnpm install`'s prepare does) when a dist is missing or older than its src. */
function ensureBuilt(): void {
  const stale = PACKAGES.some((p) => {
    const entry = join(ROOT, 'packages', p, 'dist', 'index.js');
    return !existsSync(entry) || statSync(entry).mtimeMs < newest(join(ROOT, 'packages', p, 'src'));
  });
  if (stale || !existsSync(join(ROOT, 'packages/cli/dist/bin.js'))) {
    execFileSync('pnpm', ['-r', '--filter', './packages/*', 'run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
}

function run(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const output = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, output };
}

describe('the built omnidim-stream binary', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(ensureBuilt, 180_000);
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it('exports with a JSON summary, and SIGINT mid-run exits 130 leaving the dataset as it was', async () => {
    let child: ChildProcess | undefined;
    let interruptAt = Number.POSITIVE_INFINITY;
    let interrupted = false;
    sim = await simulator({
      records: 1200,
      pageLatencyMs: 30,
      // The simulator sees each page request: the first one of the second run triggers Ctrl-C.
      faults: {
        plan: (request) => {
          if (request >= interruptAt && child && !interrupted) {
            interrupted = true;
            child.kill('SIGINT');
          }
          return null;
        },
      },
    });
    const out = await tempDir('bin');
    cleanups.push(out.remove);
    const env = { OMNIDIM_API_KEY: SECRET_KEY, OMNIDIM_BASE_URL: sim.url };

    const first = await run(['export', '--out', out.path, '--max-records', '300', '--json'], env).output;
    expect(problemLines(first.stderr)).toEqual([]);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as { counts: { calls: number }; status: string };
    expect(summary).toMatchObject({ status: 'ok', counts: { calls: 300 } });
    const [row] = await duck(`SELECT count(*) AS n FROM read_parquet('${out.path}/calls/**/*.parquet')`);
    expect(Number(row?.['n'])).toBe(300);
    const before = await listFiles(out.path);

    interruptAt = sim.stats.listRequests + 2;
    const second = run(['export', '--out', out.path, '--page-size', '50'], env);
    child = second.child;
    const result = await second.output;
    expect(result.code).toBe(130);
    // Prompt, counted in requests rather than seconds: after the SIGINT only pages already in
    // flight (concurrency 4) may still arrive, twice that for the signal's delivery to the child
    // process, out of the 24 pages an uninterrupted run requests.
    expect(sim.stats.listRequests - interruptAt).toBeLessThanOrEqual(8);
    expect(result.stderr).toContain('interrupted');
    expect(await listFiles(out.path)).toEqual(before);
    expect(first.stdout + first.stderr + result.stdout + result.stderr).not.toContain(SECRET_KEY);
  }, 60_000);

  it('--workers 2 loads the worker module from dist and exports every call (issue 21)', async () => {
    sim = await simulator({ records: 400 });
    const out = await tempDir('bin-workers');
    cleanups.push(out.remove);
    const env = { OMNIDIM_API_KEY: SECRET_KEY, OMNIDIM_BASE_URL: sim.url };
    const result = await run(['export', '--out', out.path, '--workers', '2', '--json'], env).output;
    expect(problemLines(result.stderr)).toEqual([]);
    expect(result.code).toBe(0);
    const rows = await duck(`SELECT id FROM read_parquet('${out.path}/calls/**/*.parquet') ORDER BY id`);
    expect(rows.map((r) => Number(r['id']))).toEqual([...sim.ids()].sort((a, b) => a - b));
  }, 60_000);
});

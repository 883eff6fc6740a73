import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, envFor, listFiles, runMain, simulator, tempDir } from './helpers.js';

describe('two runs on one dataset at once: one works, the other exits 8 (LOCKED) and touches nothing', () => {
  const sims: RunningSimulator[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.close();
    for (const c of cleanups.splice(0)) await c();
  });

  it('started together: exactly one commits; the loser made no request, wrote no file, names the holder', async () => {
    // Each run reads its own simulator, so the loser's requests (none expected) are counted apart.
    const a = await simulator({ records: 400, pageLatencyMs: 20, seed: 1 });
    const b = await simulator({ records: 400, pageLatencyMs: 20, seed: 2 });
    sims.push(a, b);
    const dir = await tempDir('locked');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const args = ['export', '--out', out, '--state', '--json', '--page-size', '50'];
    const [ra, rb] = await Promise.all([
      runMain(args, { env: envFor(a) }),
      runMain(args, { env: envFor(b) }),
    ]);
    const results = [
      { run: ra, sim: a },
      { run: rb, sim: b },
    ];
    const winner = results.find((r) => r.run.code === 0);
    const loser = results.find((r) => r.run.code === 8);
    expect(winner).toBeDefined();
    expect(loser).toBeDefined();

    // The loser: one line saying who holds the lock and the stale-lock rule; a JSON summary.
    expect(loser!.run.stderr).toMatch(/Another run/);
    expect(loser!.run.stderr).toContain('_lock');
    expect(loser!.run.stderr).toMatch(/stale/i);
    const lost = JSON.parse(loser!.run.stdout) as { runId: string; status: string; error: { code: string } };
    expect(lost).toMatchObject({ status: 'failed', error: { code: 'LOCKED' } });
    expect(loser!.sim.stats.requests).toBe(0);
    // Touched nothing: no file anywhere carries its run id, the lake is the winner's alone.
    const files = await listFiles(out);
    expect(files.filter((f) => f.includes(lost.runId))).toEqual([]);
    for (const f of files) expect(await readFile(join(out, f))).not.toContain(lost.runId);
    const [row] = await duck(
      `SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo FROM read_parquet('${out}/calls/**/*.parquet')`,
    );
    expect([Number(row!['n']), Number(row!['d'])]).toEqual([400, 400]);
    expect(Number(row!['lo'])).toBe(Math.min(...winner!.sim.ids()));
    expect(files.filter((f) => f.startsWith('_staging') || f === '_lock')).toEqual([]);
  });

  it('a lock held by a live process names its pid and host; once it is gone the next run proceeds', async () => {
    const sim = await simulator({ records: 30 });
    sims.push(sim);
    const dir = await tempDir('locked-live');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const first = await runMain(['export', '--out', out], { env: envFor(sim) });
    expect(first.code).toBe(0);
    // This test process is alive: a lock naming it is held, not stale.
    const { writeFile, unlink } = await import('node:fs/promises');
    await writeFile(
      join(out, '_lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), runId: 'holder-run' }),
    );
    const before = await listFiles(out);
    const requests = sim.stats.requests;
    const blocked = await runMain(['export', '--out', out], { env: envFor(sim) });
    expect(blocked.code).toBe(8);
    expect(blocked.stderr).toContain(`pid ${process.pid}`);
    expect(blocked.stderr).toContain(hostname());
    expect(blocked.stderr).toContain('holder-run');
    expect(sim.stats.requests).toBe(requests);
    expect(await listFiles(out)).toEqual(before);
    // A lock whose process is gone (a killed run) is stale and taken over.
    await writeFile(
      join(out, '_lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), runId: 'dead' }),
    );
    const next = await runMain(['export', '--out', out], { env: envFor(sim) });
    expect(next.code).toBe(0);
    await unlink(join(out, '_lock')).then(
      () => expect.fail('the lock should have been released'),
      () => undefined,
    );
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultKind, RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, envFor, listFiles, runMain, simulator, tempDir } from './helpers.js';

describe('completeness: a page that stays short fails the run loudly (exit 5) and commits nothing', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it.each([
    ['a full export (--full)', 3, ['--full']],
    ['an incremental run', 1, []],
  ] as const)(
    '%s with page %i short on every request: exit 5, message with the count, dataset and state unchanged',
    async (_name, shortPage, extra) => {
      let shortOn: number | null = null;
      sim = await simulator({
        records: 250,
        faults: { plan: (_request, pageno): FaultKind | null => (pageno === shortOn ? 'short' : null) },
      });
      const dir = await tempDir('complete');
      cleanups.push(dir.remove);
      const out = join(dir.path, 'lake');
      const args = ['export', '--out', out, '--state', '--page-size', '50', '--json'];
      const first = await runMain(args, { env: envFor(sim) });
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).completeness).toMatchObject({ ended: true, missing: 0, proven: true });
      const manifest = await readFile(join(out, '_manifest.json'), 'utf8');
      const state = await readFile(join(out, '_state.json'), 'utf8');
      const files = await listFiles(out);

      sim.insertCalls(5);
      shortOn = shortPage;
      const failed = await runMain([...args, ...extra], { env: envFor(sim) });
      expect(failed.code).toBe(5);
      expect(failed.stderr).toMatch(/\b1 call\(s\) missing/);
      expect(failed.stderr).toMatch(/short/);
      const summary = JSON.parse(failed.stdout) as {
        status: string;
        completeness: { missing: number; expected: number; emitted: number };
        error: { code: string };
      };
      expect(summary).toMatchObject({ status: 'failed', error: { code: 'INCOMPLETE' } });
      expect(summary.completeness.missing).toBe(1);
      // Nothing committed: manifest, state and files exactly as before; no staging kept.
      expect(await readFile(join(out, '_manifest.json'), 'utf8')).toBe(manifest);
      expect(await readFile(join(out, '_state.json'), 'utf8')).toBe(state);
      expect(await listFiles(out)).toEqual(files);
      const [row] = await duck(`SELECT count(*) AS n FROM read_parquet('${out}/calls/**/*.parquet')`);
      expect(Number(row!['n'])).toBe(250);

      // Once the API serves every call again, the same command succeeds.
      shortOn = null;
      const ok = await runMain(args, { env: envFor(sim) });
      expect(ok.code).toBe(0);
      const [after] = await duck(
        `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_parquet('${out}/calls/**/*.parquet')`,
      );
      expect([Number(after!['n']), Number(after!['d'])]).toEqual([255, 255]);
    },
  );
});

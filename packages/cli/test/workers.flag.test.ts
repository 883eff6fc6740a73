/**
 * Issue 21: `--workers N` is checked before any request (exit 2 naming the flag), and a valid
 * value runs the export with that many worker threads (every simulator id in the lake, DuckDB).
 */
import { join } from 'node:path';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, envFor, runMain, simulator, tempDir } from './helpers.js';

describe('--workers', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it.each([['-1'], ['1.5'], ['65'], ['two']])(
    '--workers %s: exit 2 naming --workers, no request',
    async (bad) => {
      sim = await simulator({ records: 10 });
      const dir = await tempDir('workers-flag');
      cleanups.push(dir.remove);
      const run = await runMain(['export', '--out', join(dir.path, 'lake'), '--workers', bad], {
        env: envFor(sim),
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--workers');
      expect(sim.stats.requests).toBe(0);
    },
  );

  it('--workers 2 exports every call', async () => {
    sim = await simulator({ records: 250 });
    const dir = await tempDir('workers-flag');
    cleanups.push(dir.remove);
    const lake = join(dir.path, 'lake');
    const run = await runMain(['export', '--out', lake, '--workers', '2', '--page-size', '50', '--quiet'], {
      env: envFor(sim),
    });
    expect(run.code, run.stderr).toBe(0);
    const rows = await duck(`SELECT id FROM read_parquet('${lake}/calls/**/*.parquet') ORDER BY id`);
    expect(rows.map((r) => Number(r['id']))).toEqual([...sim.ids()].sort((a, b) => a - b));
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

// Keeps the bench scripts from rotting: the cheapest one, in --quick mode, must still run end to
// end against the simulator and print its table. No figure is asserted (speed is never tested).
describe('bench/latency.ts --quick', () => {
  it('prints the latency-hiding table with one row per concurrency and the order check passing', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'bench/latency.ts', '--quick'],
      { cwd: root, timeout: 120_000 },
    );
    expect(stdout).toContain('## 1. Latency hiding — 10 pages × 150 calls, 150 ms per page');
    const rows = stdout.split('\n').filter((line) => /^\s+\d+\s+[\d,]+\s/.test(line));
    // --quick measures concurrency 1 and 8; every row reports the full count in API order.
    expect(rows.map((line) => Number(line.trim().split(/\s+/)[0]))).toEqual([1, 8]);
    for (const line of rows) expect(line).toMatch(/1,500\s+yes$/);
  }, 150_000);
});

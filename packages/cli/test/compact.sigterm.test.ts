import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duck, envFor, listFiles, runMain, simulatorScope } from './helpers.js';

/**
 * Review of issue 16's `compact`: SIGTERM (the CLI's abort signal, reason 'SIGTERM') stops it
 * with exit 143, the lock released and the lake byte-for-byte as it was. Before, compact took
 * no signal and committed the rewrite anyway (exit 0). Simulator on 127.0.0.1; DuckDB read-back.
 */
async function snapshot(out: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const f of await listFiles(out)) files[f] = (await readFile(join(out, f))).toString('base64');
  return files;
}

describe('compact under SIGTERM', () => {
  const scope = simulatorScope('compact-term');

  async function dayLake(seed: number): Promise<string> {
    const sim = await scope.start({ records: 600, seed });
    const out = await scope.lake();
    const run = await runMain(['export', '--out', out, '--partition-by', 'day', '--state'], {
      env: envFor(sim),
    });
    expect(run.code).toBe(0);
    return out;
  }

  async function expectStoppedThenCompacts(out: string, before: Record<string, string>, code: number) {
    expect(code).toBe(143);
    expect(await snapshot(out)).toEqual(before);
    // The lock was released: the same command runs (not exit 8) and keeps every call.
    const again = await runMain(['compact', '--out', out, '--partition-by', 'month']);
    expect(again.code).toBe(0);
    const [row] = await duck(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_parquet('${out}/calls/**/*.parquet')`,
    );
    expect([Number(row!['n']), Number(row!['d'])]).toEqual([600, 600]);
  }

  it('a SIGTERM already delivered: exit 143, nothing committed, lock released', async () => {
    const out = await dayLake(21);
    const before = await snapshot(out);
    const controller = new AbortController();
    controller.abort('SIGTERM');
    const run = await runMain(['compact', '--out', out, '--partition-by', 'month'], {
      signal: controller.signal,
    });
    await expectStoppedThenCompacts(out, before, run.code);
  }, 120_000);

  it('a SIGTERM once compact holds the lock: exit 143, nothing committed, lock released', async () => {
    const out = await dayLake(22);
    const before = await snapshot(out);
    const controller = new AbortController();
    // The lock file appearing is compact starting its rewrite: the signal lands mid-copy.
    const watcher = watch(out, (_event, name) => {
      if (name === '_lock') controller.abort('SIGTERM');
    });
    try {
      const run = await runMain(['compact', '--out', out, '--partition-by', 'month'], {
        signal: controller.signal,
      });
      expect(controller.signal.aborted).toBe(true);
      await expectStoppedThenCompacts(out, before, run.code);
    } finally {
      watcher.close();
    }
  }, 120_000);
});

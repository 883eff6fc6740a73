/**
 * Scenario 6 (issue 7): a wrong key fails fast, with one clear line on stderr and exit 3, after
 * exactly one request; neither key appears anywhere.
 */
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { listFiles } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS, scenarioSeed } from './harness/settings.js';

const WRONG_KEY = 'sk-E2E-WRONG-0b9d2e';

let sim: RunningSimulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('scenario 6: auth', () => {
  it('a wrong key: exit 3, one error line, exactly one request, nothing written, no key echoed', async () => {
    sim = await startSimulator({ seed: scenarioSeed(6), records: SETTINGS.records, apiKey: LEAK_KEY });
    const dir = await tempDir('auth');
    cleanups.push(dir.remove);
    const out = `${dir.path}/lake`;

    const run = await runCliInProcess(
      exportArgv({ out, format: 'csv', baseUrl: sim.url, pageSize: SETTINGS.pageSize, concurrency: 8 }),
      keyEnv(WRONG_KEY),
    );

    const hint = describeRun(run);
    expect(run.code, hint).toBe(3);
    // The run's start line (issue 19: logs with or without a terminal), then one error line.
    const lines = run.stderr.trim().split('\n');
    expect(lines, hint).toHaveLength(2);
    expect(lines[0], hint).toMatch(/^omnidim-stream export: run \S+ started: /);
    expect(lines[1], hint).toMatch(/401|key/i);
    expect(sim.stats.requests, hint).toBe(1);
    for (const text of [run.stdout, run.stderr]) {
      expect(text, hint).not.toContain(WRONG_KEY);
      expect(text, hint).not.toContain(LEAK_KEY);
    }
    // No data file (a `_` lock or marker at most).
    expect(
      (await listFiles(out)).filter((f) => !f.startsWith('_')),
      hint,
    ).toEqual([]);
  });
});

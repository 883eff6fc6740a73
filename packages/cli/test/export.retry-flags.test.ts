import { join } from 'node:path';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { envFor, listFiles, runMain, simulator, tempDir } from './helpers.js';

// --retries, --max-retry-delay and --timeout reach core's retry loop: a budget a scheduler can
// tune (a flaky API at night, a tight cron slot) instead of a fixed 5 retries of up to 30 s.
describe('export --retries / --max-retry-delay / --timeout', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  async function lake(): Promise<string> {
    const dir = await tempDir('retry-flags');
    cleanups.push(dir.remove);
    return join(dir.path, 'lake');
  }

  it('--retries 0 gives up on the first 503 of a page: exit 4 after exactly one request', async () => {
    sim = await simulator({ records: 20, faults: { plan: (request) => (request === 1 ? '503' : null) } });
    const run = await runMain(['export', '--out', await lake(), '--retries', '0'], { env: envFor(sim) });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/page 1/);
    expect(sim.stats.listRequests).toBe(1);
  });

  it('--retries 2 rides out two failures of the same page, waiting no longer than --max-retry-delay', async () => {
    // Retry-After 3600 s would stall the run for an hour if the cap were not applied.
    sim = await simulator({
      records: 20,
      faults: { plan: (request) => (request <= 2 ? '429' : null), retryAfterSeconds: 3600 },
    });
    const out = await lake();
    const run = await runMain(['export', '--out', out, '--retries', '2', '--max-retry-delay', '1s'], {
      env: envFor(sim),
    });
    expect(run.code).toBe(0);
    expect(sim.stats.faultsInjected).toBe(2);
    expect(sim.stats.listRequests).toBe(3);
    expect((await listFiles(out)).some((f) => f.startsWith('calls/'))).toBe(true);
  });

  it.each([
    ['--retries', '-1'],
    ['--retries', '101'],
    ['--max-retry-delay', 'soon'],
    ['--timeout', '0s'],
    ['--timeout', '2h'],
  ])('%s %s is refused naming the flag, before any request', async (flag, value) => {
    sim = await simulator({ records: 5 });
    const run = await runMain(['export', '--out', await lake(), flag, value], { env: envFor(sim) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(sim.stats.requests).toBe(0);
  });

  it('a plain-http OMNIDIM_BASE_URL that is not loopback is refused naming the variable', async () => {
    sim = await simulator({ records: 5 });
    const run = await runMain(['export', '--out', await lake()], {
      env: { ...envFor(sim), OMNIDIM_BASE_URL: 'http://backend.omnidim.io/api/v1' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OMNIDIM_BASE_URL');
    expect(run.stderr).not.toContain('--base-url');
    expect(run.stderr).toContain('https');
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '@omnidim-stream/cli';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { anyFileContains, envFor, listFiles, runMain, SECRET_KEY, simulator, tempDir } from './helpers.js';

describe('each failure kind has its exit code and a message, and leaks no key', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup(options: Parameters<typeof simulator>[0] = {}) {
    sim = await simulator(options);
    const out = await tempDir('fail');
    cleanups.push(out.remove);
    return { sim, out: out.path };
  }

  it('a missing key is one line on stderr, exit 2, before any request or write', async () => {
    const { sim, out } = await setup();
    const run = await runMain(['export', '--out', join(out, 'lake')], { env: { OMNIDIM_BASE_URL: sim.url } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('OMNIDIM_API_KEY');
    expect(run.stdout).toBe('');
    expect(sim.stats.requests).toBe(0);
    expect(await listFiles(out)).toEqual([]);
  });

  it('--api-key-file reads the key from a file (and an unreadable one is exit 2)', async () => {
    const { sim, out } = await setup({ records: 30 });
    await writeFile(join(out, 'key'), `${SECRET_KEY}\n`);
    const ok = await runMain(['export', '--out', join(out, 'lake'), '--api-key-file', join(out, 'key')], {
      env: { OMNIDIM_BASE_URL: sim.url },
    });
    expect(ok.code).toBe(0);
    const missing = await runMain(
      ['export', '--out', join(out, 'lake'), '--api-key-file', join(out, 'nope')],
      {
        env: { OMNIDIM_BASE_URL: sim.url },
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--api-key-file');
  });

  it('an unknown flag fails with exit 2 naming it, before any request', async () => {
    const { sim, out } = await setup();
    const run = await runMain(['export', '--out', out, '--page-sise', '10'], { env: envFor(sim) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/page-sise/);
    expect(sim.stats.requests).toBe(0);
  });

  it.each([
    [['--page-size', '151'], '--page-size'],
    [['--page-size', 'abc'], '--page-size'],
    [['--concurrency', '0'], '--concurrency'],
    [['--format', 'xlsx'], 'format'],
    [['--time-zone', 'Mars/Olympus'], '--time-zone'],
    [['--since', 'last tuesday'], '--since'],
    [['--tables', 'calls,nope'], '--tables'],
    [['--call-status', 'done'], 'call-status'],
    [['--compression', 'lz4'], '--compression'],
    [['--base-url', 'http://example.com/api/v1'], '--base-url'],
    [['--max-records', '-5'], '--max-records'],
  ])('bad value %j: exit 2, message names %s, no request', async (flags, name) => {
    const { sim, out } = await setup();
    const run = await runMain(['export', '--out', join(out, 'lake'), ...flags], { env: envFor(sim) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(name);
    expect(sim.stats.requests).toBe(0);
    expect(await listFiles(out)).toEqual([]);
  });

  it('a rejected key (401) is exit 3 and the key appears nowhere', async () => {
    const { sim, out } = await setup();
    const wrong = `${SECRET_KEY}-revoked`;
    const run = await runMain(['export', '--out', out, '--json'], {
      env: { ...envFor(sim), OMNIDIM_API_KEY: wrong },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/401/);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'failed',
      exitCode: 3,
      error: { code: 'UNAUTHORIZED' },
    });
    expect(run.stdout + run.stderr).not.toContain(SECRET_KEY);
    expect(await anyFileContains(out, SECRET_KEY)).toBeUndefined();
  });

  it('an API that keeps failing is exit 4 after retries, nothing committed', async () => {
    // A 500 is retried once (the API answers bad parameters with 500 too), then the run gives up.
    const { sim, out } = await setup({
      faults: { plan: (_request, pageno) => (pageno === 2 ? '500' : null) },
    });
    const run = await runMain(['export', '--out', out, '--page-size', '100', '--json'], { env: envFor(sim) });
    expect(run.code).toBe(4);
    const summary = JSON.parse(run.stdout) as { error: { code: string }; retries: number };
    expect(summary.error.code).toBe('RETRY_EXHAUSTED');
    expect(summary.retries).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/page 2/);
    expect((await listFiles(out)).filter((f) => !f.startsWith('raw/'))).toEqual([]);
  });

  it('an output that cannot be written is exit 6', async () => {
    const { sim, out } = await setup({ records: 20 });
    const file = join(out, 'not-a-dir');
    await writeFile(file, 'x');
    const run = await runMain(['export', '--out', file], { env: envFor(sim) });
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('omnidim-stream export:');
  });

  for (const [reason, expected] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`an abort (${reason}) mid-export exits ${expected}, commits nothing and leaves the previous dataset intact`, async () => {
      const { sim, out } = await setup({ records: 1500, pageLatencyMs: 20 });
      const first = await runMain(['export', '--out', out, '--max-records', '200'], { env: envFor(sim) });
      expect(first.code).toBe(0);
      const before = await listFiles(out);
      const controller = new AbortController();
      let stderr = '';
      let requestsAtAbort = Number.POSITIVE_INFINITY;
      const code = await main(['export', '--out', out, '--page-size', '50'], {
        env: envFor(sim),
        isTTY: true,
        stdout: { write: () => true },
        stderr: {
          write: (chunk: string) => {
            stderr += chunk;
            // The first progress frame means pages are flowing: interrupt now.
            if (!controller.signal.aborted && chunk.startsWith('\r\x1b[K') && chunk.includes('calls')) {
              requestsAtAbort = sim.stats.listRequests;
              controller.abort(reason);
            }
            return true;
          },
        },
        signal: controller.signal,
      });
      expect(code).toBe(expected);
      expect(stderr).toContain('interrupted');
      expect(await listFiles(out)).toEqual(before);
      // The abort stops the run at once, counted in requests rather than seconds: after it, at
      // most the pages already in flight (--concurrency, default 4) reach the server, out of the
      // 30 an uninterrupted run would request.
      expect(sim.stats.listRequests - requestsAtAbort).toBeLessThanOrEqual(4);
    });
  }
});

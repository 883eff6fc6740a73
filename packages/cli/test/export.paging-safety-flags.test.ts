import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../src/byte-size.js';
import { envFor, runMain, simulatorScope } from './helpers.js';

// Issue 11: --max-response-size, --max-stale-pages and --max-pages reach core's bounds, and a
// bad value fails before any request, naming the flag.
describe('export --max-response-size / --max-stale-pages / --max-pages', () => {
  const { start, lake } = simulatorScope('paging-safety');

  it.each([
    ['--max-response-size', '64MB'],
    ['--max-response-size', '512'],
    ['--max-stale-pages', '0'],
    ['--max-pages', 'many'],
  ])('%s %s: exit 2 naming the flag, no request', async (flag, value) => {
    const sim = await start({ records: 20 });
    const run = await runMain(['export', '--out', await lake(), flag, value], { env: envFor(sim) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(sim.stats.listRequests).toBe(0);
  });

  it('--max-pages 2 stops a 5-page export with exit 4 after 2 pages', async () => {
    const sim = await start({ records: 50 });
    const run = await runMain(['export', '--out', await lake(), '--page-size', '10', '--max-pages', '2'], {
      env: envFor(sim),
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/maxPages/);
    expect(sim.stats.listRequests).toBeLessThanOrEqual(2);
  });

  it('--max-response-size 1KiB refuses a page of 10 simulator calls with exit 4', async () => {
    const sim = await start({ records: 50 });
    const run = await runMain(
      ['export', '--out', await lake(), '--page-size', '10', '--max-response-size', '1KiB'],
      { env: envFor(sim) },
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/maxResponseBytes = 1024 bytes/);
    expect(sim.stats.listRequests).toBe(1);
  });

  it('parseByteSize reads binary units and plain byte counts', () => {
    expect(parseByteSize('16MiB')).toBe(16 * 1024 * 1024);
    expect(parseByteSize('512kib')).toBe(512 * 1024);
    expect(parseByteSize('2048')).toBe(2048);
    expect(parseByteSize('1.5MiB')).toBeUndefined();
    expect(parseByteSize('0')).toBeUndefined();
    expect(parseByteSize('64MB')).toBeUndefined();
  });
});

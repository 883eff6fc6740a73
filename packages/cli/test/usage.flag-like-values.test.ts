/**
 * A value that looks like a flag (`--lookback -1h`, `--agent-id -h`) is a usage error (exit 2),
 * never a help screen with exit 0: a scheduled job with such a typo must fail, not "succeed"
 * every tick exporting nothing. Found by the hostile review of issue 11-13. No request is made:
 * the base URL is a closed port and a real request would fail with exit 4, not 2.
 */
import { describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';

const BASE = ['export', '--out', '/nonexistent-omnidim-test/lake', '--base-url', 'http://127.0.0.1:9/api/v1'];
const ENV = { env: { OMNIDIM_API_KEY: 'k' } };

describe('a flag-like value is a usage error', () => {
  it.each([
    [['--lookback', '-1h', '--state'], '--lookback'],
    [['--agent-id', '-h'], '--agent-id'],
    [['--agent-id', '--help'], '--agent-id'],
    [['--call-status', '--version'], '--call-status'],
    [['--since', '-1d'], '--since'],
  ])('%j: exit 2 naming %s, no help text', async (extra, flag) => {
    const run = await runMain([...BASE, ...extra], ENV);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(run.stdout).not.toMatch(/Export call logs from the API/);
  });

  it('a real --help (not in a value position) still prints help and exits 0', async () => {
    const run = await runMain([...BASE, '-h'], ENV);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--agent-id/);
  });
});

/**
 * Error messages an operator can act on (issue 19), from the real command (spawned, stderr on a
 * pipe) against the simulator: the URL of a failed request as scheme://host:port/path (never the
 * key or a query string), a `--base-url` hint on Odoo's HTML 404, the host of a refused
 * connection, "did you mean" for a mistyped command or flag, one clean line without a command,
 * and a missing `convert` input as a usage error (exit 2).
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { describeRun, keyEnv } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';
import { simScope } from './harness/sim-scope.js';

const scope = simScope();

/** A 127.0.0.1 port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const lines = (text: string) => text.trim().split('\n');

describe('errors name what to fix', () => {
  it('a base URL without /v1: HTTP 404 with the URL (no query) and the --base-url hint, exit 4', async () => {
    const sim = await scope.start({ records: 10, apiKey: LEAK_KEY });
    const dir = { path: await scope.temp('err-404') };
    const wrong = sim.url.replace(/\/v1$/, '');
    const run = await spawnCli(
      ['export', '--out', join(dir.path, 'lake'), '--base-url', wrong],
      keyEnv(),
      ROOT,
    ).done;
    expect(run.code, describeRun(run)).toBe(4);
    const last = lines(run.stderr).at(-1) ?? '';
    expect(last).toContain(`HTTP 404 on page 1 (GET ${wrong}/calls/logs)`);
    expect(last).toContain('check the base URL (CLI: --base-url or OMNIDIM_BASE_URL)');
    expect(run.stderr).not.toContain('pagesize=');
    expect(run.stderr).not.toContain(LEAK_KEY);
  }, 60_000);

  it('connection refused names host and port, exit 4', async () => {
    const port = await closedPort();
    const dir = { path: await scope.temp('err-refused') };
    const base = `http://127.0.0.1:${port}/api/v1`;
    const run = await spawnCli(
      ['export', '--out', join(dir.path, 'lake'), '--base-url', base, '--retries', '0'],
      keyEnv(),
      ROOT,
    ).done;
    expect(run.code, describeRun(run)).toBe(4);
    expect(lines(run.stderr).at(-1)).toContain(`(GET ${base}/calls/logs): ECONNREFUSED`);
  }, 60_000);

  it('did you mean: a mistyped command, a mistyped flag; exit 2, one line each', async () => {
    const command = await spawnCli(['exprt', '--out', 'lake'], keyEnv(), ROOT).done;
    expect(command.code).toBe(2);
    expect(lines(command.stderr)).toEqual([
      'omnidim-stream: unknown command "exprt" (did you mean "export"? commands: export, convert, compact, schema, simulate) (see omnidim-stream --help)',
    ]);
    const flag = await spawnCli(['export', '--out', 'lake', '--page-sise', '10'], keyEnv(), ROOT).done;
    expect(flag.code).toBe(2);
    expect(lines(flag.stderr)).toEqual([
      'omnidim-stream export: unknown flag --page-sise (did you mean --page-size?) (see omnidim-stream export --help)',
    ]);
  }, 60_000);

  it('no command: one clean line naming the commands, the help pointed at once, exit 2', async () => {
    const run = await spawnCli([], keyEnv(), ROOT).done;
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      'omnidim-stream: Pick a command: export, convert, compact, schema, simulate (see omnidim-stream --help)',
    ]);
  }, 60_000);

  it('convert of a missing file is a usage error naming the file and its errno, exit 2, nothing written', async () => {
    const dir = { path: await scope.temp('err-convert') };
    const input = join(dir.path, 'nope.ndjson');
    const run = await spawnCli(['convert', input, '--out', join(dir.path, 'lake')], {}, ROOT).done;
    expect(run.code, describeRun(run)).toBe(2);
    expect(lines(run.stderr)).toEqual([
      `omnidim-stream convert: input ${input}: cannot read it (ENOENT) (see omnidim-stream convert --help)`,
    ]);
  }, 60_000);
});

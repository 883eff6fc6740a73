/**
 * `export --dry-run` (issue 19): every flag resolved, the key checked with exactly one request,
 * `GET /calls/logs?pagesize=1` (seen by a recording proxy in front of the simulator), and what
 * the run would do printed: mode, cutoff, pages, partitions that would be replaced. It writes
 * nothing: `--out` (a lake from an earlier run) is byte-for-byte the same, no lock was taken,
 * and a `--out` that does not exist is not created.
 */
import { access } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotLake } from './harness/lake-snapshot.js';
import { ROOT, runCliAt, spawnCli } from './harness/run-cli.js';
import { describeRun, keyEnv } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';
import { simScope } from './harness/sim-scope.js';

const scope = simScope();

/** A proxy on 127.0.0.1 that forwards to `target` and records each request's path and query. */
async function recordingProxy(target: string): Promise<{ url: string; seen: string[] }> {
  const origin = new URL(target);
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const upstream = request(
      { host: origin.hostname, port: origin.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${origin.pathname}`, seen };
}

describe('export --dry-run', () => {
  it('one GET /calls/logs?pagesize=1, the plan on stdout, the lake untouched', async () => {
    const sim = await scope.start({ records: 300, apiKey: LEAK_KEY });
    const dir = { path: await scope.temp('dry-run') };
    const lake = join(dir.path, 'lake');
    const now = Date.now();
    const first = await runCliAt(now, [
      'export',
      '--out',
      lake,
      '--base-url',
      sim.url,
      '--state',
      '--page-size',
      '25',
    ]);
    expect(first.code, describeRun(first)).toBe(0);
    const before = await snapshotLake(lake);
    const proxy = await recordingProxy(sim.url);
    const run = await spawnCli(
      ['export', '--out', lake, '--base-url', proxy.url, '--state', '--page-size', '25', '--dry-run'],
      keyEnv(),
      ROOT,
    ).done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(proxy.seen).toHaveLength(1);
    const url = new URL(proxy.seen[0] ?? '', 'http://x');
    expect(url.pathname).toBe('/api/v1/calls/logs');
    expect(url.searchParams.get('pagesize')).toBe('1');
    expect(await snapshotLake(lake)).toEqual(before);
    expect(run.stdout).toMatch(/^mode: incremental \(state .*_state\.json\)$/m);
    expect(run.stdout).toMatch(/^cutoff: \d{4}-\d\d-\d\dT[\d:.]+Z \(re-reads from date=\d{4}-\d\d-\d\d\)$/m);
    expect(run.stdout).toMatch(
      /^calls announced by the API: 300; pages of 25: 12 \(at most: paging stops earlier/m,
    );
    expect(run.stdout).toMatch(/^partitions that would be replaced: \d+ of \d+: date=/m);
    expect(run.stdout).not.toContain(LEAK_KEY);
  }, 90_000);

  it('--json: the plan as one object; a fresh --out is not created; a refused key is exit 3', async () => {
    const sim = await scope.start({ records: 40, apiKey: LEAK_KEY });
    const dir = { path: await scope.temp('dry-run-json') };
    const lake = join(dir.path, 'never');
    const argv = ['export', '--out', lake, '--base-url', sim.url, '--dry-run', '--json', '--page-size', '15'];
    const run = await spawnCli(argv, keyEnv(), ROOT).done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      dryRun: true,
      mode: 'full',
      cutoff: null,
      announcedCalls: 40,
      pagesAtMost: 3,
      upperBound: false,
      replacedPartitions: [],
      existingPartitions: 0,
    });
    expect(sim.stats.requests).toBe(1);
    await expect(access(lake)).rejects.toMatchObject({ code: 'ENOENT' });
    const refused = await spawnCli(argv, keyEnv('wrong-key-000000'), ROOT).done;
    expect(refused.code, describeRun(refused)).toBe(3);
    await expect(access(lake)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 90_000);
});

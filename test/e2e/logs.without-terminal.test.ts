/**
 * Logs for people and machines on stderr, with no terminal (issue 19): a run under cron,
 * systemd or a pod writes its start, every retry, the quarantine and the summary on stderr
 * (stdout keeps only `--json`); `--log-format json` makes every stderr line one JSON object;
 * `--quiet` silences the info lines only. Real processes (the command's own entry), stderr on a
 * pipe, against the simulator with 503s and broken records injected; what the simulator counted
 * (faults, odd records) is the expectation, not what the CLI says.
 */
import { join } from 'node:path';
import { BROKEN_ODD_SHAPES } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { describeRun, keyEnv } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';
import { simScope } from './harness/sim-scope.js';

const scope = simScope();

async function setup() {
  const sim = await scope.start({
    records: 120,
    apiKey: LEAK_KEY,
    seed: 7,
    faults: { rate: 0.25, kinds: ['503'], retryAfterSeconds: 0 },
    oddRecords: { rate: 0.05, shapes: [...BROKEN_ODD_SHAPES] },
  });
  const dir = { path: await scope.temp('logs') };
  const argv = ['export', '--out', join(dir.path, 'lake'), '--base-url', sim.url, '--page-size', '10'];
  return { sim, argv, broken: sim.oddShapes().size };
}

describe('stderr logs without a terminal', () => {
  it('text: start, one line per retry, the quarantine and the summary; stdout empty', async () => {
    const { sim, argv, broken } = await setup();
    const run = await spawnCli([...argv, '--retries', '10'], keyEnv(), ROOT).done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(sim.stats.faultsInjected).toBeGreaterThan(0);
    expect(broken).toBeGreaterThan(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^omnidim-stream export: run \S+ started: .*lake \(parquet\)$/);
    const retries = lines.filter((l) =>
      / failed \(HTTP 503 on page \d+ \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calls\/logs\)/.test(l),
    );
    expect(retries).toHaveLength(sim.stats.faultsInjected);
    expect(lines).toContain(
      lines.find((l) => l.startsWith(`omnidim-stream export: warning: ${broken} record(s) quarantined in `)),
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^omnidim-stream export: Wrote \\d+ file\\(s\\) to .* \\(${broken} quarantined, ${sim.stats.faultsInjected} retries\\)$`,
      ),
    );
    expect(run.stderr).not.toContain(LEAK_KEY);
    expect(run.stderr).not.toContain('\r');
  }, 90_000);

  it('--log-format json: every stderr line is one JSON object; --json keeps stdout for the summary', async () => {
    const { sim, argv, broken } = await setup();
    const run = await spawnCli([...argv, '--retries', '10', '--log-format', 'json', '--json'], keyEnv(), ROOT)
      .done;
    expect(run.code, describeRun(run)).toBe(0);
    const records = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const r of records) {
      expect(r).toMatchObject({ level: expect.stringMatching(/^(info|warn|error)$/), command: 'export' });
      expect(Number.isNaN(Date.parse(String(r['time'])))).toBe(false);
      expect(typeof r['msg']).toBe('string');
    }
    const events = records.map((r) => r['event']);
    expect(events[0]).toBe('start');
    expect(events.at(-1)).toBe('summary');
    expect(events.filter((e) => e === 'retry')).toHaveLength(sim.stats.faultsInjected);
    expect(records.find((r) => r['event'] === 'retry')).toMatchObject({ status: 503, code: 'HTTP_STATUS' });
    expect(records.find((r) => r['event'] === 'quarantine')).toMatchObject({
      level: 'warn',
      quarantined: broken,
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'ok', quarantined: broken });
  }, 90_000);

  it('--quiet: no info line (start, retries, summary), the quarantine warning stays', async () => {
    const { argv, broken } = await setup();
    const run = await spawnCli([...argv, '--retries', '10', '--quiet'], keyEnv(), ROOT).done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^omnidim-stream export: warning: ${broken} record\\(s\\) quarantined in `),
      ),
    ]);
  }, 90_000);

  it('a failed run says why on stderr without a terminal: one error line after the start', async () => {
    const { argv } = await setup();
    const run = await spawnCli([...argv, '--max-quarantined', '0'], keyEnv(), ROOT).done;
    expect(run.code, describeRun(run)).toBe(5);
    const last = run.stderr.trim().split('\n').at(-1);
    expect(last).toMatch(
      /^omnidim-stream export: \d+ of \d+ call log\(s\) quarantined .* more than maxQuarantined \(CLI: --max-quarantined\) 0; nothing committed/,
    );
  }, 90_000);
});

/**
 * `--metrics-file` (issue 19): Prometheus text format for node_exporter's textfile collector,
 * written at the end of every run, failed ones too. Every line is checked against the exposition
 * format's grammar (a strict line regex: `# HELP`, `# TYPE … gauge`, or `name{labels} value`),
 * each sample has its HELP and TYPE, and the values are compared with what the simulator and
 * DuckDB say, not with what the CLI printed. A failed run writes its exit code and keeps the
 * last success time of the previous file; the temp file never stays behind.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { describeRun, keyEnv } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';
import { simScope } from './harness/sim-scope.js';

const scope = simScope();

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABELS = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*")*)?\\}`;
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]?Inf|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(${LABELS})? (${VALUE})$`);
const HELP = new RegExp(`^# HELP (${NAME}) .+$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

/** Parses an exposition text strictly: every line must be HELP, TYPE or a sample. */
function parseExposition(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true);
  const helped = new Set<string>();
  const typed = new Set<string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    const help = HELP.exec(line);
    const type = TYPE.exec(line);
    const sample = SAMPLE.exec(line);
    expect(help ?? type ?? sample, `not exposition format: ${JSON.stringify(line)}`).toBeTruthy();
    if (help) helped.add(help[1] ?? '');
    else if (type) typed.add(type[1] ?? '');
    else if (sample) {
      const name = sample[1] ?? '';
      expect(helped.has(name) && typed.has(name), `${name} without HELP/TYPE before it`).toBe(true);
      const key = `${name}${sample[2] ?? ''}`;
      expect(samples.has(key), `duplicate sample ${key}`).toBe(false);
      samples.set(key, Number(sample[3]));
    }
  }
  return samples;
}

describe('--metrics-file', () => {
  it('a run writes its figures; a failed run writes its exit code and keeps the last success', async () => {
    const sim = await scope.start({
      records: 90,
      apiKey: LEAK_KEY,
      faults: { rate: 0.2, kinds: ['503'], retryAfterSeconds: 0 },
    });
    const dir = { path: await scope.temp('metrics') };
    const lake = join(dir.path, 'lake');
    const file = join(dir.path, 'omnidim.prom');
    const argv = [
      'export',
      '--out',
      lake,
      '--base-url',
      sim.url,
      '--page-size',
      '10',
      '--metrics-file',
      file,
    ];
    const ok = await spawnCli([...argv, '--retries', '10'], keyEnv(), ROOT).done;
    expect(ok.code, describeRun(ok)).toBe(0);
    const first = parseExposition(await readFile(file, 'utf8'));
    const g = (name: string, labels = '{command="export"}') => first.get(`omnidim_stream_${name}${labels}`);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const count = async (table: string) =>
      Number(
        (
          await db.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${lake}/${table}/**/*.parquet')`)
        ).getRowObjectsJson()[0]?.['n'],
      );
    expect(g('last_run_exit_code')).toBe(0);
    expect(g('last_run_calls')).toBe(90);
    expect(g('last_run_rows', '{command="export",table="calls"}')).toBe(await count('calls'));
    expect(g('last_run_rows', '{command="export",table="interactions"}')).toBe(await count('interactions'));
    // Every list request the simulator answered is a page read or a retry of one.
    expect((g('last_run_pages') ?? 0) + (g('last_run_retries') ?? 0)).toBe(sim.stats.listRequests);
    expect(g('last_run_pages')).toBeGreaterThanOrEqual(9);
    expect(g('last_run_retries')).toBe(sim.stats.faultsInjected);
    expect(g('last_run_quarantined')).toBe(0);
    expect(g('last_run_bytes')).toBeGreaterThan(0);
    const success = g('last_success_timestamp_seconds');
    expect(success).toBe(g('last_run_timestamp_seconds'));
    expect(Math.abs((success ?? 0) - Date.now() / 1000)).toBeLessThan(600);

    // A refused key: exit 3, the figures of a failed run, the previous success carried over.
    const failed = await spawnCli(argv, keyEnv('wrong-key-000000'), ROOT).done;
    expect(failed.code, describeRun(failed)).toBe(3);
    const second = parseExposition(await readFile(file, 'utf8'));
    expect(second.get('omnidim_stream_last_run_exit_code{command="export"}')).toBe(3);
    expect(second.get('omnidim_stream_last_success_timestamp_seconds{command="export"}')).toBe(success);
    expect(second.get('omnidim_stream_last_run_rows{command="export",table="calls"}')).toBe(0);
    expect(second.get('omnidim_stream_last_run_timestamp_seconds{command="export"}')).toBeGreaterThanOrEqual(
      success ?? 0,
    );
    expect((await readdir(dir.path)).sort()).toEqual(['lake', 'omnidim.prom']);
  }, 120_000);

  it('a metrics file that cannot be written is a warning naming the errno; the exit code stands', async () => {
    const sim = await scope.start({ records: 20, apiKey: LEAK_KEY });
    const dir = { path: await scope.temp('metrics-bad') };
    await writeFile(join(dir.path, 'not-a-dir'), '');
    const file = join(dir.path, 'not-a-dir', 'omnidim.prom');
    const run = await spawnCli(
      ['export', '--out', join(dir.path, 'lake'), '--base-url', sim.url, '--metrics-file', file],
      keyEnv(),
      ROOT,
    ).done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).toContain(`warning: cannot write the metrics file ${file} (ENOTDIR)`);
  }, 60_000);
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '@omnidim-stream/cli';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function runExample(
  file: string,
  args: string[],
  nodeArgs: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env['OMNIDIM_API_KEY'];
  delete env['OMNIDIM_BASE_URL'];
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--conditions=source', '--import', 'tsx', join(ROOT, 'examples', file), ...args],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = await once(child, 'close');
  return { code: code as number | null, stdout, stderr };
}

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** The omnidim-stream arguments of a command line (everything after the program name). */
function cliArgs(words: string[]): string[] {
  const at = words.findIndex((w) => /(^|\/)omnidim-stream$/.test(w) || w === '@omnidim-stream/cli');
  expect(at).toBeGreaterThanOrEqual(0);
  return words.slice(at + 1);
}

describe('examples/ run against the simulator', () => {
  const dirs: string[] = [];
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function temp(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'examples-'));
    dirs.push(d);
    return d;
  }

  /** Runs an example that keeps only calls of 30 s or more, and checks its lake with DuckDB. */
  async function runLongCallsExample(file: string): Promise<string> {
    const out = join(await temp(), 'lake');
    const run = await runExample(file, [out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const kept = Number(/kept (\d+) calls/.exec(run.stdout)?.[1]);
    const [row] = await duck(
      `SELECT count(*) AS n, min(call_duration_in_seconds) AS shortest FROM read_parquet('${out}/calls/**/*.parquet')`,
    );
    expect(Number(row?.['n'])).toBe(kept);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(400);
    expect(Number(row?.['shortest'])).toBeGreaterThanOrEqual(30);
    return run.stdout;
  }

  it("compose-pipeline.ts: only the custom stage's calls reach the Parquet sink", async () => {
    await runLongCallsExample('compose-pipeline.ts');
  }, 60_000);

  it('compose-pipeline.ts: the time budget fires under constant garbage collection, nothing committed', async () => {
    // nodejs/node#57736: a timeout signal held only by AbortSignal.any() can be collected before
    // it fires. The example runs with the GC forced every few ms and a budget far below its run
    // time (1 s per page): the budget must still stop it.
    const out = join(await temp(), 'lake');
    const run = await runExample(
      'compose-pipeline.ts',
      [out, '300', '1000'],
      ['--expose-gc', '--import', join(ROOT, 'test/support/force-gc.mjs')],
    );
    expect(run.stderr).toContain('stopped: time budget of 300 ms exceeded; nothing committed');
    expect(run.code).toBe(1);
    await expect(readFile(join(out, '_manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it("custom-stage.ts: exportCallLogs' stage keeps only the calls it returns", async () => {
    expect(await runLongCallsExample('custom-stage.ts')).toContain('out of 400');
  }, 60_000);

  it('resume-library-export.ts: an aborted library export resumes, every call exactly once', async () => {
    const out = join(await temp(), 'lake');
    const run = await runExample('resume-library-export.ts', [out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('first run aborted after a checkpoint');
    expect(run.stdout).toMatch(/resumed from \S+-[0-9a-f]{6} after [1-9]\d* calls/);
    const [row] = await duck(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${out}/calls/**/*.parquet')`,
    );
    expect({ n: Number(row?.['n']), ids: Number(row?.['ids']) }).toEqual({ n: 600, ids: 600 });
  }, 90_000);

  it('bulk-export-parquet.ts: all history to Parquet, then a DuckDB query', async () => {
    const out = join(await temp(), 'lake');
    const run = await runExample('bulk-export-parquet.ts', [out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('call_status');
    const [row] = await duck(`SELECT count(DISTINCT id) AS n FROM read_parquet('${out}/calls/**/*.parquet')`);
    expect(Number(row?.['n'])).toBe(600);
  }, 60_000);

  it('scheduled/: the cron line, the systemd service and the CronJob run real CLI flags', async () => {
    sim = await startSimulator({ records: 80 });
    const dir = await temp();
    const keyFile = join(dir, 'api-key');
    await writeFile(keyFile, sim.apiKey);
    const scheduled = join(ROOT, 'examples', 'scheduled');

    const cron = (await readFile(join(scheduled, 'crontab'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
    expect(cron).toHaveLength(1);
    expect(cron[0]!.split(/\s+/).slice(0, 5)).toEqual(['0', '*', '*', '*', '*']);

    const service = await readFile(join(scheduled, 'omnidim-stream-export.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(service)?.[1] ?? '';
    const timer = await readFile(join(scheduled, 'omnidim-stream-export.timer'), 'utf8');
    expect(timer).toMatch(/^OnCalendar=\S+/m);
    expect(service).toMatch(/^Type=oneshot$/m);

    // Minimal YAML reading: the CronJob's `args:` list, one `- value` per line.
    const yaml = await readFile(join(scheduled, 'cronjob.yaml'), 'utf8');
    expect(yaml).toMatch(/kind: CronJob/);
    expect(yaml).toMatch(/concurrencyPolicy: Forbid/);
    const argsBlock = /args:\n((?:\s+- .*\n)+)/.exec(yaml)?.[1] ?? '';
    const k8sArgs = argsBlock
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().slice(2).trim());
    const command = JSON.parse(/command: (\[.*omnidim-stream.*\])/.exec(yaml)?.[1] ?? '[]') as string[];

    const lines: [string, string[]][] = [
      ['cron', cliArgs(cron[0]!.split(/\s+/))],
      ['systemd', cliArgs(execStart.split(/\s+/))],
      ['kubernetes', [...cliArgs(command), ...k8sArgs]],
    ];
    for (const [name, args] of lines) {
      // Same flags, pointed at the simulator and a temp lake.
      const local = args.map((a, i) =>
        args[i - 1] === '--out' ? join(dir, name) : args[i - 1] === '--api-key-file' ? keyFile : a,
      );
      let stderr = '';
      const code = await main(local, {
        env: { OMNIDIM_BASE_URL: sim.url },
        isTTY: false,
        stdout: { write: () => true },
        stderr: { write: (c: string) => (stderr += c) },
      });
      // Log lines on stderr (issue 19), but no warning and no error.
      expect({ name, code }).toEqual({ name, code: 0 });
      expect(stderr).not.toMatch(/warning|error/i);
      const [row] = await duck(
        `SELECT count(*) AS n FROM read_parquet('${join(dir, name)}/calls/**/*.parquet')`,
      );
      expect(Number(row?.['n'])).toBe(80);
    }
  }, 90_000);
});

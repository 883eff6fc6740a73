/**
 * "Progress goes to stderr, and only when stderr is a terminal" (README, CLI). A run under a
 * pseudo-terminal must draw progress frames; a run whose stderr is a pipe (cron, CI, a log file)
 * must not, even without `--json` (which hides progress by itself and so proves nothing here).
 * Both are real processes started through the command's own entry (`harness/cli-process.ts`), so
 * what decides is `process.stderr.isTTY`, not a flag a test passes in.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { describeRun, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';

/** A progress frame: carriage return, erase-line, then the calls so far. */
const FRAME = /\r\x1b\[K(?:\x1b\[K)?(?:\[[#-]{24}\] )?\d+(?:\/\d+)? calls/;
/** A frame with the bar over the calls the API announced: share, rate, elapsed, ETA, retries. */
const BAR =
  /\[[#-]{24}\] (\d+)\/(\d+) calls +\d+% · \d+ calls\/s · elapsed [\d.hms]+ · ETA [\d.hms?]+ · \d+ retr(?:y|ies)/g;

const ENTRY = join(ROOT, 'test/e2e/harness/cli-process.ts');

let sim: RunningSimulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const c of cleanups.splice(0)) await c();
});

async function setup(records = 120, pageSize = 10) {
  sim = await startSimulator({ records, apiKey: LEAK_KEY, pageLatencyMs: 5 });
  const dir = await tempDir('progress');
  cleanups.push(dir.remove);
  const argv = [
    'export',
    '--out',
    join(dir.path, 'lake'),
    '--base-url',
    sim.url,
    '--page-size',
    String(pageSize),
  ];
  return { argv, sim };
}

/** The run on a pseudo-terminal, through the command's own entry. */
function runCommandOnPty(argv: readonly string[]) {
  return runOnPty([process.execPath, '--conditions=source', '--import', 'tsx', ENTRY, ...argv], keyEnv());
}

/** Single-quotes an argument for `sh -c`. */
function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs a command with stdin, stdout and stderr on a pseudo-terminal: util-linux `script` where it
 * is installed, else python3's `pty` module. Resolves with the exit code and what the terminal
 * showed.
 */
async function runOnPty(command: readonly string[], env: Record<string, string>) {
  const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  const [file, args] = hasScript
    ? ['script', ['-qec', command.map(shellQuote).join(' '), '/dev/null']]
    : [
        'python3',
        ['-c', 'import os,pty,sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))', ...command],
      ];
  const child = spawn(file as string, args as string[], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', TERM: 'xterm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout?.on('data', (c: Buffer) => (screen += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (screen += c.toString()));
  const [code] = await once(child, 'close');
  return { code: code as number | null, screen };
}

describe('progress is drawn only when stderr is a terminal', () => {
  it('on a pseudo-terminal the run draws progress frames on stderr', async () => {
    const { argv } = await setup();
    const run = await runOnPty(
      [process.execPath, '--conditions=source', '--import', 'tsx', ENTRY, ...argv],
      keyEnv(),
    );
    expect(run.code, run.screen).toBe(0);
    expect(run.screen).toMatch(FRAME);
    expect(run.screen).not.toContain(LEAK_KEY);
  }, 60_000);

  it('the bar runs over the calls the API announced, capped by --max-records, never the 120 of the API', async () => {
    const { argv } = await setup(120, 5);
    const run = await runCommandOnPty([...argv, '--max-records', '45']);
    expect(run.code, run.screen).toBe(0);
    const frames = [...run.screen.matchAll(BAR)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(frames.length).toBeGreaterThan(0);
    // Every frame promises the 45 calls of --max-records, never the API's 120.
    expect(new Set(frames.map(([, total]) => total))).toEqual(new Set([45]));
    expect(Math.max(...frames.map(([done]) => done ?? 0))).toBeLessThanOrEqual(45);
  }, 60_000);

  it('with --since the API total is only an upper bound: no bar, no ETA, never a promise', async () => {
    const { argv, sim } = await setup(300);
    // The date of the 60th newest call, read from the API itself: the run stops well before 300.
    const page = (await (
      await fetch(`${sim.url}/calls/logs?pageno=1&pagesize=60`, {
        headers: { authorization: `Bearer ${LEAK_KEY}` },
      })
    ).json()) as { call_log_data: { time_of_call: string }[] };
    const [month, day, year] = (page.call_log_data[59]?.time_of_call ?? '').slice(0, 10).split('/');
    const run = await runCommandOnPty([...argv, '--since', `${year}-${month}-${day}`]);
    expect(run.code, run.screen).toBe(0);
    expect(run.screen).toMatch(FRAME);
    expect(run.screen).toMatch(/\d+ calls \(at most 300: stops at --since\/the cutoff\)/);
    expect(run.screen).not.toMatch(BAR);
    expect(run.screen).not.toContain('ETA');
  }, 60_000);

  it('with stderr on a pipe and no --json, stderr holds no progress frame', async () => {
    const { argv } = await setup();
    const run = await spawnCli(argv, keyEnv(), ROOT).done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).not.toMatch(FRAME);
    expect(run.stderr).not.toMatch(/calls\/s/);
    // The log lines are there instead (issue 19): start and summary.
    expect(run.stderr).toMatch(/^omnidim-stream export: run \S+ started: /);
    expect(run.stderr).toMatch(/Wrote \d+ file\(s\) to .* calls 120, /);
    expect(run.stderr).not.toContain('\x1b[');
    expect(run.stderr).not.toContain('\r');
  }, 60_000);
});

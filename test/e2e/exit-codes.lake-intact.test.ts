/**
 * The README's exit-code table, row by row, with the codes written as numbers (a scheduler
 * branches on the number, so a test that compares with the constant under test proves nothing),
 * and its promise for every non-zero code: "a run that did not exit 0 leaves the lake and the
 * state file exactly as they were", checked by one helper (`harness/lake-snapshot.ts`) with and
 * without `--state`.
 */
import { rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { main } from '@omnidim-stream/cli';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, DuckReader } from './harness/dataset.js';
import { expectLakeUnchanged, snapshotLake } from './harness/lake-snapshot.js';
import { type CliRun, ROOT, runCliInProcess, spawnCli } from './harness/run-cli.js';
import { describeRun, keyEnv, summaryOf, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, scenarioSeed } from './harness/settings.js';

const RECORDS = 120;
const PAGE_SIZE = 10;

let reader: DuckReader;
const sims: RunningSimulator[] = [];
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
});
afterAll(() => reader.close());
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
  for (const c of cleanups.splice(0)) await c();
});

async function sim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const s = await startSimulator({ seed: scenarioSeed(14), records: RECORDS, apiKey: LEAK_KEY, ...options });
  sims.push(s);
  return s;
}

/** A lake with one committed export (and, with `state`, its state file outside the lake). */
async function committedLake(state: boolean) {
  const dir = await tempDir('exit');
  cleanups.push(dir.remove);
  const lake = join(dir.path, 'lake');
  const stateFile = state ? join(dir.path, 'state.json') : undefined;
  const stateArgs = stateFile ? ['--state', stateFile] : [];
  const healthy = await sim();
  const argv = (baseUrl: string, ...extra: string[]) => [
    'export',
    '--out',
    lake,
    '--base-url',
    baseUrl,
    '--page-size',
    String(PAGE_SIZE),
    ...stateArgs,
    ...extra,
  ];
  const first = await runCliInProcess([...argv(healthy.url), '--json'], keyEnv());
  expect(first.code, describeRun(first)).toBe(0);
  await checkDataset(reader, lake, 'parquet', replayHint());
  const before = await snapshotLake(lake, stateFile);
  if (stateFile) expect(before['state file'], 'the first run wrote its state').not.toBeNull();
  // With a state, a failing `--full` (which starts a new state) must not reset the old one either.
  const full = stateFile ? ['--full'] : [];
  return { dir: dir.path, lake, stateFile, argv, full, before };
}

type Lake = Awaited<ReturnType<typeof committedLake>>;

interface Failure {
  code: number;
  name: string;
  /** Runs the failing command against the committed lake. */
  run: (lake: Lake) => Promise<CliRun>;
}

/** Aborts an in-process run with `reason` when the simulator serves its `atRequest`-th page. */
async function interrupted(lake: Lake, reason: 'SIGINT' | 'SIGTERM'): Promise<CliRun> {
  const controller = new AbortController();
  const s = await sim({
    pageLatencyMs: 5,
    faults: {
      plan: (request) => {
        if (request === 3) controller.abort(reason);
        return null;
      },
    },
  });
  let stdout = '';
  let stderr = '';
  const code = await main([...lake.argv(s.url), ...lake.full, '--json'], {
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    env: keyEnv(),
    isTTY: false,
    signal: controller.signal,
  });
  return { code, signal: null, stdout, stderr };
}

const FAILURES: Failure[] = [
  {
    code: 2,
    name: 'bad usage (a bad --page-size), before any request',
    run: async (lake) => runCliInProcess([...lake.argv((await sim()).url), '--page-size', '0'], keyEnv()),
  },
  {
    code: 3,
    name: 'authentication (the API answers 401)',
    run: async (lake) => runCliInProcess(lake.argv((await sim()).url), keyEnv(`${LEAK_KEY}-revoked`)),
  },
  {
    code: 4,
    name: 'API failure after retries (503 on every page after the first)',
    run: async (lake) => {
      const s = await sim({
        faults: { plan: (request) => (request > 1 ? '503' : null), retryAfterSeconds: 0 },
      });
      return runCliInProcess([...lake.argv(s.url), ...lake.full, '--retries', '1'], keyEnv());
    },
  },
  {
    code: 5,
    name: 'incomplete export (every page silently one call short)',
    run: async (lake) => {
      const s = await sim({ faults: { plan: () => 'short' } });
      return runCliInProcess([...lake.argv(s.url), ...lake.full], keyEnv());
    },
  },
  {
    code: 6,
    name: 'output error (a regular file where the staging directory must go)',
    run: async (lake) => {
      // Root ignores permissions, so a file in the way is what makes the dataset unwritable.
      await rm(join(lake.lake, '_staging'), { recursive: true, force: true });
      await writeFile(join(lake.lake, '_staging'), 'not a directory');
      lake.before = await snapshotLake(lake.lake, lake.stateFile);
      return runCliInProcess([...lake.argv((await sim()).url), ...lake.full], keyEnv());
    },
  },
  {
    code: 7,
    name: 'convert input that is not JSON call logs, into the same lake',
    run: async (lake) => {
      const input = join(lake.dir, 'broken.ndjson');
      await writeFile(input, '{"id": 1, "time_of_call": "05/04/2026 10:00:00"}\n{"id": 2, "cut');
      return runCliInProcess(['convert', input, '--out', lake.lake], {});
    },
  },
  {
    code: 8,
    name: 'locked (a live run on this host holds DIR/_lock)',
    run: async (lake) => {
      // This test process is alive and on this host: its lock is not stale. (A lock the run left
      // behind would show up as an added file in every other case: the snapshot covers `_lock`.)
      const holder = { pid: process.pid, host: hostname(), runId: 'the-running-one' };
      await writeFile(join(lake.lake, '_lock'), JSON.stringify(holder));
      lake.before = await snapshotLake(lake.lake, lake.stateFile);
      return runCliInProcess(lake.argv((await sim()).url), keyEnv());
    },
  },
  { code: 130, name: 'interrupted by SIGINT mid-export', run: (lake) => interrupted(lake, 'SIGINT') },
  { code: 143, name: 'terminated by SIGTERM mid-export', run: (lake) => interrupted(lake, 'SIGTERM') },
];

describe('exit codes as numbers, and a failed run leaves the lake and the state as they were', () => {
  it('0: success commits the export (and, with --state, advances the state)', async () => {
    const lake = await committedLake(true);
    const more = await sim({ records: RECORDS + 5 });
    const run = await runCliInProcess([...lake.argv(more.url), '--json'], keyEnv());
    expect(run.code, describeRun(run)).toBe(0);
    expect(summaryOf(run).exitCode).toBe(0);
    const after = await snapshotLake(lake.lake, lake.stateFile);
    expect(after['state file']).not.toBe(lake.before['state file']);
    expect(after['lake/_manifest.json']).not.toBe(lake.before['lake/_manifest.json']);
  });

  // An internal error is an error outside the closed union of codes: here the stdout the CLI was
  // given throws a plain Error (as a broken stream or a bug in a writer would). No test-only hook
  // is needed: `main()` takes its streams as arguments. A bug must still be a distinct code.
  it('1: an unexpected error (no known code) is exit 1, reported on stderr', async () => {
    let stderr = '';
    const code = await main(['schema', '--table', 'calls'], {
      stdout: {
        write: () => {
          throw new Error('stdout broke');
        },
      },
      stderr: { write: (c: string) => (stderr += c) },
      env: {},
      isTTY: false,
    });
    expect(code).toBe(1);
    expect(stderr).toContain('stdout broke');
  });

  for (const state of [false, true]) {
    const variant = state ? 'with --state FILE' : 'without --state';
    it.each(FAILURES)(
      `$code: $name, ${variant}`,
      async (failure) => {
        const lake = await committedLake(state);
        const run = await failure.run(lake);
        const hint = describeRun(run);
        expect(run.code, hint).toBe(failure.code);
        expect(run.stderr.trim(), hint).not.toBe('');
        await expectLakeUnchanged(lake.before, lake.lake, lake.stateFile, hint);
        await checkDataset(reader, lake.lake, 'parquet', replayHint());
      },
      60_000,
    );
  }
});

/** Real signals to a real process: the command's own handlers turn them into 130 and 143. */
describe('exit codes 130 and 143 from real signals to a spawned run', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s mid-export exits %i and leaves the lake and the state as they were',
    async (signal, code) => {
      const lake = await committedLake(true);
      let child: ReturnType<typeof spawnCli>['child'] | undefined;
      const s = await sim({
        pageLatencyMs: 5,
        faults: {
          plan: (request) => {
            if (request === 3) child?.kill(signal);
            return null;
          },
        },
      });
      const spawned = spawnCli([...lake.argv(s.url), ...lake.full], keyEnv(), ROOT);
      child = spawned.child;
      const run = await spawned.done;
      expect(run.code, describeRun(run)).toBe(code);
      expect(run.stderr, describeRun(run)).toContain('interrupted');
      await expectLakeUnchanged(lake.before, lake.lake, lake.stateFile, describeRun(run));
    },
    60_000,
  );
});

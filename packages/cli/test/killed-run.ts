/**
 * The crash-resume tests' child process: the CLI run from source in a real process (real files
 * open, a real kill), killed once the lake on disk shows the state a test waits for, and what the
 * lake looks like around it (the staged checkpoint, DuckDB readers of a plain NDJSON/CSV lake).
 * Shared by export.crash-resume-growing.test.ts and its kill loop.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository root, and the fixture that runs the CLI from source in a child process. */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const CLI_ENTRY = join(HERE, 'fixtures/run-cli.ts');

/**
 * The `_checkpoint.json` a run durably wrote in `<out>/_staging/*`, parsed (the first one found),
 * or undefined when there is none (or it cannot be parsed: it is written atomically, so that is a
 * forged one).
 */
export async function stagedCheckpoint<T extends { calls: number }>(out: string): Promise<T | undefined> {
  for (const run of await readdir(join(out, '_staging')).catch(() => [] as string[])) {
    const text = await readFile(join(out, '_staging', run, '_checkpoint.json'), 'utf8').catch(
      () => undefined,
    );
    if (text === undefined) continue;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Calls the checkpoint in `<out>/_staging/*` covers, or -1 when there is none. */
export async function checkpointCalls(out: string): Promise<number> {
  return (await stagedCheckpoint(out))?.calls ?? -1;
}

/** How a {@link killedRound} child ended; `endedFirst` when it exited before `ready()` held. */
export interface KilledRound {
  code: number | null;
  signal: string | null;
  stderr: string;
  endedFirst: boolean;
}

/**
 * Runs the CLI from source in a child process (a real process with real files open), polls
 * `ready()` until it holds (the child has no other channel), waits `waitMs` more, and sends it
 * `signal`; the child may finish first (see `endedFirst`).
 *
 * @example
 * const before = await checkpointCalls(out);
 * const r = await killedRound(args, envFor(sim), async () => (await checkpointCalls(out)) > before, 'SIGKILL');
 */
export async function killedRound(
  args: string[],
  env: Record<string, string>,
  ready: () => Promise<boolean>,
  signal: NodeJS.Signals,
  waitMs = 0,
): Promise<KilledRound> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, 'exit');
  let endedFirst = false;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      endedFirst = true;
      break;
    }
    if (await ready()) break;
    await delay(2);
  }
  if (waitMs > 0) await delay(waitMs);
  child.kill(signal);
  const [code, sig] = (await exited) as [number | null, string | null];
  return { code, signal: sig, stderr, endedFirst };
}

/** DuckDB table functions over a plain NDJSON or CSV lake's `table` (hive partitioning off). */
export const LAKE_READERS = {
  ndjson: (out: string, table: string) =>
    `read_json('${out}/${table}/**/*.ndjson', format = 'newline_delimited', hive_partitioning = false)`,
  csv: (out: string, table: string) => `read_csv('${out}/${table}/**/*.csv', header = true)`,
} as const;

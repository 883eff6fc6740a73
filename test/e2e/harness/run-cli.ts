/**
 * Runs the CLI two ways: in-process through `main()` (fast, output captured), or as a separate
 * Node process from the TypeScript sources (for SIGKILL). Both get a controlled environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@omnidim-stream/cli';
import { keyEnv } from './scenario.js';

export interface CliRun {
  code: number | null;
  /** Set when the process died of a signal (spawned runs only). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../../..');
const ENTRY = join(HERE, 'cli-process.ts');

/** Runs `omnidim-stream <argv>` in this process with captured output. */
export async function runCliInProcess(
  argv: readonly string[],
  env: Record<string, string>,
  cwd?: string,
  now?: () => number,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
    isTTY: false,
    ...(cwd ? { cwd } : {}),
    ...(now ? { now } : {}),
  });
  return { code, signal: null, stdout, stderr };
}

/**
 * Runs `omnidim-stream <argv>` in this process with its clock set to `nowMs` (incremental runs
 * read the clock for the watermark's trust limit), with only the key in its environment.
 */
export function runCliAt(nowMs: number, argv: readonly string[]): Promise<CliRun> {
  return runCliInProcess(argv, keyEnv(), undefined, () => nowMs);
}

export interface SpawnedCli {
  child: ChildProcess;
  /** Resolves when the process has exited and its output is closed. */
  done: Promise<CliRun>;
}

/**
 * Starts `omnidim-stream <argv>` as its own Node process, from the sources (`--conditions=source`
 * with tsx), so that what is killed is a real process with real files open.
 */
export function spawnCli(argv: readonly string[], env: Record<string, string>, cwd: string): SpawnedCli {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', ENTRY, ...argv], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return { child, done };
}

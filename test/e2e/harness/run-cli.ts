/**
 * Runs the CLI two ways: in-process through `main()` (fast, output captured), or as a separate
 * Node process from the TypeScript sources (for SIGKILL). Both get a controlled environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@omnidim-stream/cli';

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
const BIN_ENTRY = join(HERE, 'cli-bin-process.ts');

/** Runs `omnidim-stream <argv>` in this process with captured output. */
export async function runCliInProcess(
  argv: readonly string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
    isTTY: false,
    ...(cwd ? { cwd } : {}),
  });
  return { code, signal: null, stdout, stderr };
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
export function spawnCli(
  argv: readonly string[],
  env: Record<string, string>,
  cwd: string,
  entry: 'main' | 'bin' = 'main',
): SpawnedCli {
  // 'bin': the shipped entry's run() (SIGINT/SIGTERM handlers, process.exitCode); 'main': main() only.
  const script = entry === 'bin' ? BIN_ENTRY : ENTRY;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...argv], {
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

/**
 * A whole process timed from the outside, as a user experiences it: from `spawn()` to the
 * process's exit, start-up included.
 */
import { spawn } from 'node:child_process';

export interface TimedProcess {
  wallMs: number;
  code: number | null;
  /** The signal that ended it (e.g. SIGKILL after `timeoutMs`), or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args…` with `env` added to the runner's, resolving when it has exited.
 *
 * @example
 * const { wallMs, code } = await timeProcess(process.execPath, ['--version']);
 */
export function timeProcess(
  command: string,
  args: readonly string[],
  /** `timeoutMs`: SIGKILL after this long (default 300 000 ms). */
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<TimedProcess> {
  const start = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ wallMs: performance.now() - start, code, signal, stdout, stderr });
    });
  });
}

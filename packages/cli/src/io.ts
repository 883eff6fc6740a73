/**
 * Everything `main()` touches outside itself, injectable so tests run the CLI in-process:
 * output streams, the environment, whether stderr is a terminal, and the signal that aborts a run.
 */
export interface CliIo {
  /** Data and the `--json` summary only; never logs. */
  stdout: { write(chunk: string): unknown };
  /** Progress (TTY only), warnings and errors. */
  stderr: { write(chunk: string): unknown; columns?: number };
  /** Environment variables (`OMNIDIM_API_KEY`, `OMNIDIM_BASE_URL`). */
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal: progress is drawn only then. */
  isTTY: boolean;
  /**
   * Aborts the running command (Ctrl-C / SIGTERM in `bin.ts`). Its `reason` may be the signal
   * name (`'SIGINT'`, `'SIGTERM'`), which picks the exit code.
   */
  signal?: AbortSignal;
  /** Working directory that relative paths resolve against. Default `process.cwd()`. */
  cwd?: string;
  /** Clock, injectable for progress/ETA tests. Default `Date.now`. */
  now?: () => number;
}

/** The real process's io. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    ...(signal ? { signal } : {}),
    cwd: process.cwd(),
  };
}

/** Name of the signal that aborted `signal`, if its reason is one. */
export function signalNameOf(signal: AbortSignal | undefined): string | undefined {
  if (!signal?.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (reason === 'SIGINT' || reason === 'SIGTERM') return reason;
  if (reason instanceof Error && (reason.message === 'SIGINT' || reason.message === 'SIGTERM'))
    return reason.message;
  return 'SIGINT';
}

/**
 * The CLI's log on stderr (issue 19): stdout stays for `--json` and data, stderr gets one line per
 * thing an operator needs to see, with or without a terminal (cron, systemd and Kubernetes keep
 * stderr). `text` lines read `omnidim-stream export: …`; with `--log-format json` every stderr
 * line is one JSON object (`time`, `level`, `command`, `event`, `msg` and the event's fields),
 * the shape log shippers (journald, Loki, Cloud Logging) parse without a pattern. `--quiet`
 * silences the `info` lines only: warnings and errors are always written.
 *
 * A hand-written writer rather than pino: one `JSON.stringify` per line is all that is needed,
 * lines are few (not per call), and a synchronous `write` keeps them in order with the progress
 * display on the same stream; pino would be a new dependency for the same bytes.
 */

/** `--log-format`: what each stderr line is. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogLevel = 'info' | 'warn' | 'error';

/** Writes the lines of one command run. */
export interface RunLog {
  readonly format: LogFormat;
  /** A line for people (start, retries, drift, quarantine, summary); silenced by `--quiet`. */
  info(event: string, msg: string, fields?: Record<string, unknown>): void;
  /** Always written (`warning: …`). */
  warn(event: string, msg: string, fields?: Record<string, unknown>): void;
  /** Always written: why the run failed. */
  error(event: string, msg: string, fields?: Record<string, unknown>): void;
}

/** What {@link createRunLog} needs. */
export interface RunLogOptions {
  /** `omnidim-stream <command>` names the lines: `export`, `convert`, or `''` before one is known. */
  command: string;
  format: LogFormat;
  quiet: boolean;
  stream: { write(chunk: string): unknown };
  now?: () => number;
  /** Called before a line is written (the progress display clears its line). */
  beforeLine?: () => void;
}

/**
 * The log of one run.
 *
 * @example
 * ```ts
 * const log = createRunLog({ command: 'export', format: 'json', quiet: false, stream: process.stderr });
 * log.info('retry', 'page 3: HTTP 503, retry 1 in 1.2s', { page: 3 });
 * // {"time":"…","level":"info","command":"export","event":"retry","msg":"page 3: …","page":3}
 * ```
 */
export function createRunLog(options: RunLogOptions): RunLog {
  const now = options.now ?? Date.now;
  const prefix = options.command ? `omnidim-stream ${options.command}` : 'omnidim-stream';
  const line = (level: LogLevel, event: string, msg: string, fields: Record<string, unknown> = {}) => {
    if (level === 'info' && options.quiet) return;
    options.beforeLine?.();
    if (options.format === 'json') {
      const record = {
        time: new Date(now()).toISOString(),
        level,
        ...(options.command ? { command: options.command } : {}),
        event,
        msg,
        ...fields,
      };
      options.stream.write(`${JSON.stringify(record)}\n`);
    } else {
      options.stream.write(`${prefix}: ${level === 'warn' ? 'warning: ' : ''}${msg}\n`);
    }
  };
  return {
    format: options.format,
    info: (event, msg, fields) => line('info', event, msg, fields),
    warn: (event, msg, fields) => line('warn', event, msg, fields),
    error: (event, msg, fields) => line('error', event, msg, fields),
  };
}

/**
 * The `--log-format` of a command line, read before (or whatever) the parser says, so that even a
 * usage error is a JSON line when JSON was asked for. Anything but `json` is text.
 */
export function logFormatOf(argv: readonly string[]): LogFormat {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--log-format') return argv[i + 1] === 'json' ? 'json' : 'text';
    if (arg.startsWith('--log-format=')) return arg.slice(13) === 'json' ? 'json' : 'text';
  }
  return 'text';
}

import { readFileSync } from 'node:fs';
import { newRunId } from '@omnidim-stream/engine';
import { DUCKDB_READERS } from '@omnidim-stream/sinks';
import type { ChosenCommand } from './cli-parser.js';
import { buildParser } from './cli-parser.js';
import { resolveCompactFlags, runCompact } from './commands/compact.js';
import { runConvert } from './commands/convert.js';
import { runExport } from './commands/export.js';
import { runSchema } from './commands/schema.js';
import { runSimulate } from './commands/simulate.js';
import { EXIT_CODES, exitCodeFor, UsageError } from './exit-codes.js';
import { type DatasetOptions, resolveDatasetOptions, resolveExportOptions } from './export-options.js';
import { type CliIo, processIo, signalNameOf } from './io.js';
import { formatSummaryLine, type RunSummary } from './summary.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * The whole CLI as a function: parses `argv` (without `node` and the script), runs the command
 * and resolves to its exit code (see `EXIT_CODES`). Never calls `process.exit`; everything it
 * touches outside itself comes through `io`, so tests run it in-process.
 *
 * @example
 * ```ts
 * const code = await main(['export', '--demo', '--out', 'demo-out', '--json']);
 * ```
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { ...processIo(), isTTY: false, ...io };
  const signal = full.signal ?? new AbortController().signal;
  let chosen: ChosenCommand | undefined;
  const parser = buildParser(
    (c) => {
      chosen = c;
    },
    VERSION,
    full.stderr.columns ?? 100,
  );
  const parsed = await new Promise<{ error: Error | undefined; output: string }>((resolve) => {
    parser.parse([...argv], {}, (error: Error | undefined, _argv: unknown, output: string) => {
      resolve({ error: error ?? undefined, output });
    });
  });
  if (parsed.error) {
    // yargs names the flag without dashes ("Unknown argument: bogus"); point at the help too.
    const prefix = chosen ? `omnidim-stream ${chosen.name}` : 'omnidim-stream';
    full.stderr.write(`${prefix}: ${parsed.error.message.replace(/\n\s*/g, ' ')} (see ${prefix} --help)\n`);
    return EXIT_CODES.USAGE;
  }
  const swallowed = await helpTakenAsValue(argv);
  if (swallowed) {
    // `--agent-id -h`: a value that looks like a flag is a typo, not a request for help; a
    // scheduled job must not "succeed" on it with exit 0 (found in review).
    full.stderr.write(
      `omnidim-stream: --${swallowed}: expected a value, received a flag (see omnidim-stream --help)\n`,
    );
    return EXIT_CODES.USAGE;
  }
  if (!chosen) {
    // --help or --version: yargs produced the text; it is the command's output.
    if (parsed.output) full.stdout.write(`${parsed.output}\n`);
    return EXIT_CODES.OK;
  }
  try {
    return await runCommand(chosen, full, signal);
  } catch (error) {
    // Validation errors and a missing key land here, before any request or write.
    const code = exitCodeFor(error, signalNameOf(signal));
    if (code === EXIT_CODES.USAGE) return usageFailure(full, (error as Error).message, chosen.name);
    full.stderr.write(`omnidim-stream ${chosen.name}: ${(error as Error).message}\n`);
    return code;
  }
}

async function runCommand(chosen: ChosenCommand, io: CliIo, signal: AbortSignal): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  switch (chosen.name) {
    case 'schema': {
      const text = runSchema({
        table: chosen.argv['table'] as string | undefined,
        format: chosen.argv['format'] === 'json' ? 'json' : 'markdown',
      });
      io.stdout.write(text);
      return EXIT_CODES.OK;
    }
    case 'simulate':
      return runSimulate(chosen.argv, io, signal);
    case 'compact':
      await runCompact(resolveCompactFlags(chosen.argv, cwd), io);
      return EXIT_CODES.OK;
    case 'export': {
      const options = resolveExportOptions(chosen.argv, io.env, cwd);
      return runDatasetCommand(
        'export',
        options,
        io,
        signal,
        (context) => runExport(options, io, context),
        options.demo,
      );
    }
    case 'convert': {
      const options = resolveDatasetOptions(chosen.argv, cwd);
      const input = String(chosen.argv['input']);
      return runDatasetCommand(
        'convert',
        options,
        io,
        signal,
        (context) => runConvert(input, options, io, context),
        false,
      );
    }
  }
}

/** Runs `export`/`convert`, then prints the summary (`--json`: stdout; TTY: one line on stderr). */
async function runDatasetCommand(
  command: 'export' | 'convert',
  options: DatasetOptions,
  io: CliIo,
  signal: AbortSignal,
  run: (context: { runId: string; signal: AbortSignal; summary: RunSummary }) => Promise<RunSummary>,
  demo: boolean,
): Promise<number> {
  const now = io.now ?? Date.now;
  const started = now();
  const runId = newRunId(new Date(started));
  const summary: RunSummary = {
    runId,
    command,
    status: 'ok',
    exitCode: 0,
    outputDir: options.outDir,
    format: options.format,
    counts: Object.fromEntries(options.tables.map((t) => [t, 0])),
    records: 0,
    skippedNewerThanUntil: 0,
    skippedOlderThanSince: 0,
    pages: 0,
    retries: 0,
    duplicatesDropped: 0,
    driftSeen: 0,
    quarantined: 0,
    quarantineFile: null,
    filesWritten: 0,
    files: [],
    raw: null,
    durationMs: 0,
    startedAt: new Date(started).toISOString(),
    mode: command === 'export' ? 'full' : null,
    incremental: null,
    completeness: null,
    resumedFrom: null,
    resumedCalls: 0,
    checkpoints: 0,
  };
  let code: number = EXIT_CODES.OK;
  try {
    await run({ runId, signal, summary });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    code = exitCodeFor(error, signalNameOf(signal));
    const interrupted = code === EXIT_CODES.SIGINT || code === EXIT_CODES.SIGTERM;
    summary.status = interrupted ? 'interrupted' : 'failed';
    const message = interrupted
      ? `interrupted (${signalNameOf(signal) ?? 'aborted'}); nothing of this run was committed, the previous dataset is intact; running the same command again resumes from this run's last checkpoint, if it wrote one`
      : (error as Error).message;
    summary.error = { code: errorCode(error, interrupted), message };
    io.stderr.write(`omnidim-stream ${command}: ${message}\n`);
  }
  summary.exitCode = code;
  summary.durationMs = now() - started;
  if (options.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
  else if (code === EXIT_CODES.OK && !options.quiet) {
    if (io.isTTY || demo) io.stderr.write(`${formatSummaryLine(summary)}\n`);
    if (demo) io.stderr.write(demoHint(summary));
  }
  return code;
}

function demoHint(summary: RunSummary): string {
  const { fn, glob } =
    DUCKDB_READERS[summary.format as keyof typeof DUCKDB_READERS] ?? DUCKDB_READERS.parquet;
  return `\nThe demo exported ${summary.records} simulated calls into ${summary.outputDir}. Query it with DuckDB:\n  duckdb -c "SELECT call_status, count(*) AS calls FROM ${fn}('${summary.outputDir}/calls/**/${glob}', hive_partitioning = true) GROUP BY ALL ORDER BY calls DESC"\n`;
}

function errorCode(error: unknown, interrupted: boolean): string {
  if (interrupted) return 'ABORTED';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/** A usage error is one line on stderr, naming the flag; nothing was requested or written. */
function usageFailure(io: CliIo, message: string, command: string): number {
  io.stderr.write(`omnidim-stream ${command}: ${message}\n`);
  return EXIT_CODES.USAGE;
}

/**
 * The flag whose value position holds `-h` / `--help` / `--version` (yargs then prints help and
 * would exit 0), or undefined. Whether a flag takes a value is asked of the parser itself: parsed
 * alone, a value flag reads as a string, a switch as `true`.
 */
async function helpTakenAsValue(argv: readonly string[]): Promise<string | undefined> {
  for (let i = 2; i < argv.length; i += 1) {
    const previous = argv[i - 1] ?? '';
    if (!['-h', '--help', '--version'].includes(argv[i] ?? '')) continue;
    if (!previous.startsWith('--') || previous.includes('=')) continue;
    const name = previous.slice(2);
    const probe = buildParser(() => undefined, VERSION, 100);
    const takesValue = await new Promise<boolean>((resolve) => {
      probe.parse(
        [argv[0] ?? '', previous],
        {},
        (error: Error | undefined, args: Record<string, unknown>) => {
          // `requiresArg` flags fail alone ("Not enough arguments following"); a switch is `true`.
          resolve(/Not enough arguments/.test(error?.message ?? '') || typeof args?.[name] === 'string');
        },
      );
    });
    if (takesValue && name !== 'state') return name;
  }
  return undefined;
}

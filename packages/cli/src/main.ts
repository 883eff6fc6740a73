import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkArchiveInput } from '@omnidim-stream/engine';
import type { ChosenCommand } from './cli-parser.js';
import { buildParser, COMMAND_NAMES } from './cli-parser.js';
import { resolveCompactFlags, runCompact } from './commands/compact.js';
import { runConvert } from './commands/convert.js';
import { runDryRun } from './commands/dry-run.js';
import { prepareExport, runExport } from './commands/export.js';
import { runSchema } from './commands/schema.js';
import { runSimulate } from './commands/simulate.js';
import { runDatasetCommand } from './dataset-command.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { resolveDatasetOptions, resolveExportOptions } from './export-options.js';
import { type CliIo, processIo, signalNameOf } from './io.js';
import { createRunLog, logFormatOf, type RunLog } from './run-log.js';
import { transformOptionsFor } from './secrets.js';
import { usageMessage } from './usage-message.js';

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
  // Lines before or outside a run (usage errors) follow --log-format too.
  const log = (command: string) =>
    createRunLog({ command, format: logFormatOf(argv), quiet: false, stream: full.stderr, ...nowOf(full) });
  if (parsed.error) {
    // One line, what was typed named as typed, with a "did you mean" (usage-message.ts).
    const named = COMMANDS.includes(argv[0] ?? '') ? (argv[0] ?? '') : '';
    return usageFailure(log(named), await usageMessage(parsed.error.message, argv), named);
  }
  const swallowed = await helpTakenAsValue(argv);
  if (swallowed) {
    // `--agent-id -h`: a value that looks like a flag is a typo, not a request for help; a
    // scheduled job must not "succeed" on it with exit 0 (found in review).
    return usageFailure(log(''), `--${swallowed}: expected a value, received a flag`, '');
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
    if (code === EXIT_CODES.USAGE)
      return usageFailure(log(chosen.name), (error as Error).message, chosen.name);
    log(chosen.name).error('failed', (error as Error).message, { exitCode: code, code: codeOf(error) });
    return code;
  }
}

async function runCommand(chosen: ChosenCommand, io: CliIo, signal: AbortSignal): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  switch (chosen.name) {
    case 'schema': {
      const text = runSchema({
        table: chosen.argv['table'] as string | undefined,
        format: chosen.argv['format'] as string | undefined,
        lakeFormat: chosen.argv['lake-format'] as string | undefined,
      });
      io.stdout.write(text);
      return EXIT_CODES.OK;
    }
    case 'simulate':
      return runSimulate(chosen.argv, io, signal);
    case 'compact':
      await runCompact(resolveCompactFlags(chosen.argv, cwd), io, signal);
      return EXIT_CODES.OK;
    case 'export': {
      const options = resolveExportOptions(chosen.argv, io.env, cwd);
      if (options.dryRun) return runDryRun(options, io, signal);
      const prepared = await prepareExport(options, io);
      return runDatasetCommand(
        'export',
        options,
        io,
        signal,
        (context) => runExport(prepared, options, io, context),
        options.demo,
      );
    }
    case 'convert': {
      const options = resolveDatasetOptions(chosen.argv, cwd);
      const input = String(chosen.argv['input']);
      // Before the run is announced: a missing input is a usage error (exit 2), one line.
      await checkArchiveInput(resolve(cwd, input));
      const transform = await transformOptionsFor(options, io.env, io.cwd);
      return runDatasetCommand(
        'convert',
        options,
        io,
        signal,
        (context) => runConvert(input, transform, options, io, context),
        false,
      );
    }
  }
}

const COMMANDS: readonly string[] = COMMAND_NAMES;

/**
 * A usage error is one line on stderr, naming the flag, pointing at the help once; nothing was
 * requested or written.
 */
function usageFailure(log: RunLog, message: string, command: string): number {
  const help = command ? `omnidim-stream ${command} --help` : 'omnidim-stream --help';
  log.error('usage', `${message.replace(/\s*\(see [^)]*--help\)$/, '')} (see ${help})`, { exitCode: 2 });
  return EXIT_CODES.USAGE;
}

function nowOf(io: CliIo): { now?: () => number } {
  return io.now ? { now: io.now } : {};
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
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

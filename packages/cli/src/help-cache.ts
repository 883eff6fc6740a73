/**
 * yargs renders the chosen command's whole help text each time the command runs (its command
 * handler path calls `usage.cacheHelpMessage()`, kept for a later `showHelp()`): for `export`,
 * dozens of options laid out by cliui, `string-width` measuring every line. The CLI never shows
 * that cached text (`showHelpOnFail(false)`; usage errors are one line, usage-message.ts), and
 * `--help` renders its own, so the rendering was pure start-up cost before the first request
 * (3.7% of the export's profile at 500 ms per page, bench/latency.ts). This turns it off.
 */
import type { Argv } from 'yargs';

interface UsageInstance {
  cacheHelpMessage(): void;
  hasCachedHelpMessage(): boolean;
}

/** yargs' usage object (one per parser: `reset()` returns the same object), internal API. */
export function usageOf(parser: Argv): UsageInstance | undefined {
  const internal = (parser as unknown as { getInternalMethods?: () => { getUsageInstance(): UsageInstance } })
    .getInternalMethods;
  return internal?.call(parser).getUsageInstance();
}

/**
 * Makes `parser` skip caching a command's help on every run; returns the parser. When a yargs
 * release moves the internals, nothing changes but the lost start-up time.
 *
 * @example
 * const parser = withoutHelpCache(yargs().command(...));
 */
export function withoutHelpCache(parser: Argv): Argv {
  const usage = usageOf(parser);
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
  return parser;
}

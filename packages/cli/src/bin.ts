import { applyHeapGrowth, nodeFlags } from './heap-growth.js';
import { processIo } from './io.js';
import { main } from './main.js';
import { capYoungGeneration } from './young-generation.js';

/**
 * The process entry point used by `bin/omnidim-stream.js`: runs {@link main}, sets
 * `process.exitCode` (never `process.exit`, so stdout is flushed) and turns SIGINT/SIGTERM into
 * an abort of the running command. A second signal while the run is winding down exits at once.
 * It first bounds V8's heap growth (heap-growth.ts) and its young generation
 * (young-generation.ts): the process is the CLI's alone.
 *
 * @example
 * ```ts
 * import { run } from '@omnidim-stream/cli/bin';
 * await run(process.argv.slice(2));
 * ```
 */
export async function run(argv: readonly string[]): Promise<number> {
  applyHeapGrowth();
  const uncapYoung = capYoungGeneration({ execArgv: nodeFlags() });
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await main(argv, processIo(controller.signal));
    process.exitCode = code;
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    uncapYoung?.();
  }
}

/**
 * Entry of a spawned CLI process that runs the real process entry (`bin.ts`'s `run()`: the
 * SIGINT/SIGTERM handlers and `process.exitCode` of the shipped binary) from the sources.
 */
import { run } from '../../../packages/cli/src/bin.js';

await run(process.argv.slice(2));

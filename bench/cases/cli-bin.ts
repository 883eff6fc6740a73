/**
 * The `omnidim-stream` command run from the sources: what packages/cli/bin/omnidim-stream.js
 * does with the compiled dist/ (`run(process.argv.slice(2))`), so a bench measures the code of
 * this checkout without a build. Not a BENCH_RESULT case: the runner times the whole process.
 */
import { run } from '@omnidim-stream/cli/bin';

await run(process.argv.slice(2));

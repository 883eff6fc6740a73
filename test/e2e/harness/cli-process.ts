/**
 * Entry of a spawned CLI process in the e2e suite: the package's own `run()` (what
 * `bin/omnidim-stream.js` calls) from the sources under test, so a spawned run behaves like the
 * installed command: progress only when stderr really is a terminal, and SIGINT / SIGTERM turned
 * into exits 130 / 143. (The package's `bin` itself runs the built `dist/`.)
 */
import { run } from '@omnidim-stream/cli/bin';

await run(process.argv.slice(2));

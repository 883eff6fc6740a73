/**
 * Entry of a spawned CLI process in the e2e suite: `main()` with the real process's streams and
 * environment. (The package's own `bin` runs the built `dist/`; this runs the sources under test.)
 */
import { main } from '@omnidim-stream/cli';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: false,
  cwd: process.cwd(),
});
process.exitCode = code;

/**
 * `omnidim-simulator`: runs the simulator standalone on a port until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { InvalidOptionError } from '@omnidim-stream/core';
import { SIMULATOR_FLAGS, simulatorOptionsFromFlags } from './cli-flags.js';
import type { SimulatorOptions } from './options.js';
import { startSimulator } from './start-simulator.js';

/** Where the CLI writes and how it learns to stop; injectable for tests. */
export interface SimulatorCliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Resolves when the simulator should stop. Default: the first SIGINT or SIGTERM. */
  stopped: () => Promise<void>;
  setExitCode: (code: number) => void;
}

const defaultIo = (): SimulatorCliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stopped: () =>
    new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
  setExitCode: (code) => {
    process.exitCode = code;
  },
});

/** Which flag set which option, so validation errors name the flag the user typed. */
const FLAG_OF_OPTION: Record<string, string> = {
  port: '--port',
  seed: '--seed',
  records: '--records',
  apiKey: '--sim-key',
  pageLatencyMs: '--latency',
  'faults.rate': '--fault-rate',
  'faults.kinds': '--fault-kinds',
  'faults.retryAfterSeconds': '--retry-after',
  'drift.insertPerPage': '--drift-insert-per-page',
  'drift.deletePerPage': '--drift-delete-per-page',
};

const USAGE = `usage: omnidim-simulator ${SIMULATOR_FLAGS.map((f) => (f.type === 'boolean' ? `[--${f.name}]` : `[--${f.name} V]`)).join(' ')}`;

/**
 * Runs the simulator CLI: prints the base URL and the (test) API key, serves until stopped.
 * Bad flags print one line naming the flag and set exit code 2.
 *
 * @example
 * // omnidim-simulator --port 8787 --records 5000 --fault-rate 0.1 --faults 429,503,reset
 * await runSimulatorCli(['--port', '8787', '--records', '5000']);
 */
export async function runSimulatorCli(argv: string[], io: Partial<SimulatorCliIo> = {}): Promise<void> {
  const cli: SimulatorCliIo = { ...defaultIo(), ...io };
  let options: SimulatorOptions;
  try {
    options = parseCliOptions(argv, cli.env);
  } catch (error) {
    if (error instanceof InvalidOptionError || (error instanceof TypeError && 'code' in error)) {
      cli.stderr.write(`omnidim-simulator: ${error.message.split('\n')[0]} (${USAGE})\n`);
      cli.setExitCode(2);
      return;
    }
    throw error;
  }
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator(options);
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      const flag = FLAG_OF_OPTION[error.option] ?? error.option;
      cli.stderr.write(`omnidim-simulator: ${flag}: ${error.message}\n`);
      cli.setExitCode(2);
      return;
    }
    // e.g. EADDRINUSE: one line, not a stack trace.
    cli.stderr.write(`omnidim-simulator: ${error instanceof Error ? error.message : String(error)}\n`);
    cli.setExitCode(1);
    return;
  }
  // The key is a simulator test key: printing it is the point (clients need it).
  cli.stdout.write(`OmniDimension simulator listening on ${sim.url}\nAPI key: ${sim.apiKey}\n`);
  await cli.stopped();
  await sim.close();
}

function parseCliOptions(argv: string[], env: Record<string, string | undefined>): SimulatorOptions {
  // Every name and alias of the shared declaration (cli-flags.ts) is a parseArgs option, so the
  // value arrives under the name typed and messages can repeat it.
  const declared: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const flag of SIMULATOR_FLAGS) {
    for (const name of [flag.name, ...flag.aliases]) declared[name] = { type: flag.type };
  }
  const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: declared });
  return simulatorOptionsFromFlags(values, env);
}

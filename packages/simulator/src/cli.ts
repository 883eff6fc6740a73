/**
 * `omnidim-simulator`: runs the simulator standalone on a port until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { InvalidOptionError } from '@omnidim-stream/core';
import type { FaultKind, SimulatorOptions } from './options.js';
import { FAULT_KINDS } from './resolve-options.js';
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

class UsageError extends Error {}

/** Which flag set which option, so validation errors name the flag the user typed. */
const FLAG_OF_OPTION: Record<string, string> = {
  port: '--port',
  seed: '--seed',
  records: '--records',
  apiKey: '--api-key',
  pageLatencyMs: '--latency',
  'faults.rate': '--fault-rate',
  'faults.kinds': '--faults',
  'drift.insertPerPage': '--drift-insert',
};

const USAGE =
  'usage: omnidim-simulator [--port N] [--seed N] [--records N] [--api-key KEY] [--latency MS] ' +
  `[--fault-rate 0..1] [--faults ${FAULT_KINDS.join(',')}] [--drift-insert N]`;

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
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
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
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      records: { type: 'string' },
      'api-key': { type: 'string' },
      latency: { type: 'string' },
      'fault-rate': { type: 'string' },
      faults: { type: 'string' },
      'drift-insert': { type: 'string' },
    },
  });
  const options: SimulatorOptions = {};
  const num = (flag: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value))
      throw new UsageError(`--${flag} expects a number, got "${raw}"`);
    return value;
  };
  const port = num('port', values.port);
  if (port !== undefined) options.port = port;
  const seed = num('seed', values.seed);
  if (seed !== undefined) options.seed = seed;
  const records = num('records', values.records);
  if (records !== undefined) options.records = records;
  const latency = num('latency', values.latency);
  if (latency !== undefined) options.pageLatencyMs = latency;
  const apiKey = values['api-key'] ?? env['OMNIDIM_SIM_API_KEY'];
  if (apiKey !== undefined) {
    if (apiKey === '') throw new UsageError('--api-key must not be empty');
    options.apiKey = apiKey;
  }
  const rate = num('fault-rate', values['fault-rate']);
  if (rate !== undefined) options.faults = { ...options.faults, rate };
  if (values.faults !== undefined) {
    const kinds = values.faults.split(',').map((k) => k.trim());
    const bad = kinds.find((k) => !FAULT_KINDS.includes(k as FaultKind));
    if (bad !== undefined) throw new UsageError(`--faults: unknown fault kind "${bad}"`);
    options.faults = { rate: 0.1, ...options.faults, kinds: kinds as FaultKind[] };
  }
  const insert = num('drift-insert', values['drift-insert']);
  if (insert !== undefined) options.drift = { insertPerPage: insert };
  return options;
}

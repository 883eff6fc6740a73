import { once } from 'node:events';
import {
  FAULT_KINDS,
  simulatorOptionsFromFlags as optionsFromSimulatorFlags,
  startSimulator,
} from '@omnidim-stream/simulator';
import { asUsage } from '../flag-values.js';
import type { CliIo } from '../io.js';

/** Fault kinds `simulate --fault-kinds` accepts: the simulator's own list, never a copy. */
export const SIMULATOR_FAULT_KINDS = FAULT_KINDS;

type Argv = Record<string, unknown>;

/**
 * Maps `simulate`'s flags onto the simulator's options with the simulator's own flag
 * declaration (packages/simulator/src/cli-flags.ts), shared with `omnidim-simulator`.
 */
export function simulatorOptionsFromFlags(argv: Argv, env: Record<string, string | undefined> = {}) {
  return asUsage(() => optionsFromSimulatorFlags(argv, env));
}

/**
 * `omnidim-stream simulate`: the simulator standalone on 127.0.0.1 until SIGINT/SIGTERM. Prints
 * `OMNIDIM_BASE_URL=…` and `OMNIDIM_API_KEY=…` (the simulator's own test key) on stdout, so
 * `eval "$(omnidim-stream simulate … &)"`-style scripts can point an export at it.
 */
export async function runSimulate(argv: Argv, io: CliIo, signal: AbortSignal): Promise<number> {
  const options = simulatorOptionsFromFlags(argv, io.env);
  const simulator = await startSimulator(options);
  try {
    io.stdout.write(`OMNIDIM_BASE_URL=${simulator.url}\nOMNIDIM_API_KEY=${simulator.apiKey}\n`);
    if (!argv['quiet']) io.stderr.write(`Simulator listening on ${simulator.url}; stop it with Ctrl-C\n`);
    if (!signal.aborted) await once(signal, 'abort');
  } finally {
    await simulator.close();
  }
  return 0;
}

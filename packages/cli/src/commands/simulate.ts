import { once } from 'node:events';
import { FAULT_KINDS, startSimulator } from '@omnidim-stream/simulator';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** Fault kinds `simulate --fault-kinds` accepts: the simulator's own list, never a copy. */
export const SIMULATOR_FAULT_KINDS = FAULT_KINDS;

type Argv = Record<string, unknown>;

/** Maps `simulate`'s flags onto the simulator's options, validating each. */
export function simulatorOptionsFromFlags(argv: Argv): Record<string, unknown> {
  const faults: Record<string, unknown> = {};
  const rate = decimal(argv, 'fault-rate', 0, 1);
  if (rate !== undefined) faults['rate'] = rate;
  const kindsText = argv['fault-kinds'];
  if (kindsText !== undefined) {
    const kinds = String(kindsText)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const kind of kinds) {
      if (!(SIMULATOR_FAULT_KINDS as readonly string[]).includes(kind)) {
        throw new UsageError(
          `--fault-kinds: expected names from ${SIMULATOR_FAULT_KINDS.join(', ')}, received ${JSON.stringify(kind)}`,
        );
      }
    }
    faults['kinds'] = kinds;
  }
  const retryAfter = decimal(argv, 'retry-after', 0, 3600);
  if (retryAfter !== undefined) faults['retryAfterSeconds'] = retryAfter;
  const drift: Record<string, unknown> = {};
  const insert = decimal(argv, 'drift-insert-per-page', 0, 10_000, true);
  if (insert !== undefined) drift['insertPerPage'] = insert;
  const del = decimal(argv, 'drift-delete-per-page', 0, 10_000, true);
  if (del !== undefined) drift['deletePerPage'] = del;
  const options: Record<string, unknown> = { port: decimal(argv, 'port', 0, 65_535, true) ?? 0 };
  const seed = decimal(argv, 'seed', 0, 2 ** 32 - 1, true);
  if (seed !== undefined) options['seed'] = seed;
  const records = decimal(argv, 'records', 0, 50_000_000, true);
  if (records !== undefined) options['records'] = records;
  const latency = decimal(argv, 'latency', 0, 600_000, true);
  if (latency !== undefined) options['pageLatencyMs'] = latency;
  if (typeof argv['sim-key'] === 'string') options['apiKey'] = argv['sim-key'];
  if (Object.keys(faults).length) options['faults'] = faults;
  if (Object.keys(drift).length) options['drift'] = drift;
  return options;
}

/**
 * `omnidim-stream simulate`: the simulator standalone on 127.0.0.1 until SIGINT/SIGTERM. Prints
 * `OMNIDIM_BASE_URL=…` and `OMNIDIM_API_KEY=…` (the simulator's own test key) on stdout, so
 * `eval "$(omnidim-stream simulate … &)"`-style scripts can point an export at it.
 */
export async function runSimulate(argv: Argv, io: CliIo, signal: AbortSignal): Promise<number> {
  const options = simulatorOptionsFromFlags(argv);
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

function decimal(argv: Argv, flag: string, min: number, max: number, integer = false): number | undefined {
  const raw = argv[flag];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new UsageError(`--${flag}: given ${raw.length} times; give it once`);
  const text = String(raw).trim();
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `--${flag}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, received ${JSON.stringify(text)}`,
    );
  }
  return value;
}

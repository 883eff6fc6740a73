/**
 * The simulator's command-line flags, declared once (issue 15): names, aliases, types, defaults
 * and descriptions, and how each maps onto {@link SimulatorOptions}. Both command lines read it:
 * `omnidim-simulator` (cli.ts, node:util parseArgs) and `omnidim-stream simulate` (the CLI's
 * yargs parser), so a flag cannot mean one thing in one and another in the other.
 */
import {
  checkIntegerText,
  checkNumberText,
  checkOneOf,
  InvalidOptionError,
  type Range,
} from '@omnidim-stream/core';
import { MAX_CALL_INDEX } from './generate-call-log.js';
import type { FaultKind, SimulatorOptions } from './options.js';
import { FAULT_KINDS, SIMULATOR_DEFAULTS } from './resolve-options.js';

/** What a flag's text becomes. */
type FlagKind = 'integer' | 'number' | 'kinds' | 'key' | 'switch';

export interface SimulatorFlag {
  /** Long name, without `--`. */
  readonly name: string;
  /** Older names still accepted (`omnidim-simulator` used them before the two CLIs shared flags). */
  readonly aliases: readonly string[];
  readonly type: 'string' | 'boolean';
  readonly kind: FlagKind;
  /** Accepted range of `integer` / `number` flags. */
  readonly range?: Range;
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
  /** One line for `--help`, default included. */
  readonly describe: string;
}

/** Fault rate applied when `--fault-kinds` is given without `--fault-rate`. */
export const KINDS_ONLY_FAULT_RATE = 0.1;

const D = SIMULATOR_DEFAULTS;

/** Every flag of both simulator command lines, in `--help` order. */
export const SIMULATOR_FLAGS: readonly SimulatorFlag[] = [
  {
    name: 'port',
    aliases: [],
    type: 'string',
    kind: 'integer',
    range: { min: 0, max: 65_535 },
    describe: `Port, 0 = any free one [default: ${D.port}]`,
  },
  {
    name: 'seed',
    aliases: [],
    type: 'string',
    kind: 'integer',
    range: { min: 0, max: 0xffff_ffff },
    describe: `Data generator seed [default: ${D.seed}]`,
  },
  {
    name: 'records',
    aliases: [],
    type: 'string',
    kind: 'integer',
    range: { min: 0, max: MAX_CALL_INDEX },
    describe: `Calls in the history [default: ${D.records}]`,
  },
  {
    name: 'latency',
    aliases: [],
    type: 'string',
    kind: 'number',
    range: { min: 0, max: 600_000 },
    describe: `Delay before each page, ms [default: ${D.pageLatencyMs}]`,
  },
  {
    name: 'fault-rate',
    aliases: [],
    type: 'string',
    kind: 'number',
    range: { min: 0, max: 1 },
    describe: `Probability 0–1 that a page request fails [default: ${D.faults.rate}; ${KINDS_ONLY_FAULT_RATE} with --fault-kinds]`,
  },
  {
    name: 'fault-kinds',
    aliases: ['faults'],
    type: 'string',
    kind: 'kinds',
    describe: `Comma-separated: ${FAULT_KINDS.join(', ')}`,
  },
  {
    name: 'retry-after',
    aliases: [],
    type: 'string',
    kind: 'integer',
    range: { min: 0, max: 86_400 },
    describe: `Retry-After seconds sent with 429 [default: ${D.faults.retryAfterSeconds}]`,
  },
  {
    name: 'drift-insert-per-page',
    aliases: ['drift-insert'],
    type: 'string',
    kind: 'integer',
    range: { min: 0, max: 10_000 },
    describe: 'New calls inserted after every page',
  },
  {
    name: 'drift-delete-per-page',
    aliases: [],
    type: 'string',
    kind: 'integer',
    range: { min: 0, max: 10_000 },
    describe: 'Old calls deleted after every page',
  },
  {
    name: 'sim-key',
    aliases: ['api-key'],
    type: 'string',
    kind: 'key',
    env: 'OMNIDIM_SIM_API_KEY',
    describe: `The Bearer token the simulator accepts [default: env OMNIDIM_SIM_API_KEY or ${D.apiKey}]`,
  },
  { name: 'quiet', aliases: [], type: 'boolean', kind: 'switch', describe: 'No banner on stderr' },
];

/** Where each value flag lands in {@link SimulatorOptions}. */
const TARGET: Record<string, (options: SimulatorOptions, value: number) => void> = {
  port: (o, v) => {
    o.port = v;
  },
  seed: (o, v) => {
    o.seed = v;
  },
  records: (o, v) => {
    o.records = v;
  },
  latency: (o, v) => {
    o.pageLatencyMs = v;
  },
  'fault-rate': (o, v) => {
    o.faults = { ...o.faults, rate: v };
  },
  'retry-after': (o, v) => {
    o.faults = { ...o.faults, retryAfterSeconds: v };
  },
  'drift-insert-per-page': (o, v) => {
    o.drift = { ...o.drift, insertPerPage: v };
  },
  'drift-delete-per-page': (o, v) => {
    o.drift = { ...o.drift, deletePerPage: v };
  },
};

/**
 * Maps parsed flags (keyed by whichever name was typed) onto simulator options. A bad value
 * throws `InvalidOptionError` whose `option` is the flag as typed (`--faults`, `--records`).
 *
 * @example
 * simulatorOptionsFromFlags({ records: '5000', 'fault-kinds': '429,reset' });
 * // { records: 5000, faults: { kinds: ['429', 'reset'], rate: 0.1 } }
 */
export function simulatorOptionsFromFlags(
  values: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
): SimulatorOptions {
  const options: SimulatorOptions = {};
  for (const flag of SIMULATOR_FLAGS) {
    const typed = [flag.name, ...flag.aliases].find((n) => values[n] !== undefined);
    const raw = typed === undefined ? undefined : values[typed];
    if (Array.isArray(raw))
      throw new InvalidOptionError(`--${typed}`, 'one value (given more than once)', raw);
    const option = `--${typed ?? flag.name}`;
    if (flag.kind === 'key') {
      const key = raw ?? (flag.env === undefined ? undefined : env[flag.env]);
      // Never echo a key: only its kind.
      if (key === '') throw new InvalidOptionError(option, 'a non-empty key', '(empty)');
      if (typeof key === 'string') options.apiKey = key;
    } else if (flag.kind === 'kinds' && raw !== undefined) {
      const kinds = String(raw)
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      if (kinds.length === 0)
        throw new InvalidOptionError(option, `names from ${FAULT_KINDS.join(', ')}`, raw);
      for (const k of kinds) checkOneOf(option, k, FAULT_KINDS, `names from ${FAULT_KINDS.join(', ')}`);
      options.faults = { rate: KINDS_ONLY_FAULT_RATE, ...options.faults, kinds: kinds as FaultKind[] };
    } else if ((flag.kind === 'integer' || flag.kind === 'number') && raw !== undefined) {
      const text = String(raw).trim();
      const range = flag.range ?? { min: 0, max: Number.MAX_SAFE_INTEGER };
      const value =
        flag.kind === 'integer'
          ? checkIntegerText(option, text, range)
          : checkNumberText(option, text, range);
      TARGET[flag.name]?.(options, value);
    }
  }
  return options;
}

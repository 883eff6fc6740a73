/**
 * Defaults of {@link startSimulator} in one constant, and the one place options are validated:
 * a bad value throws InvalidOptionError naming the option before the server starts.
 */
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkObject,
  checkOptionalFunction,
  InvalidOptionError,
} from '@omnidim-stream/core';
import { MAX_CALL_INDEX } from './generate-call-log.js';
import { ODD_SHAPES, type OddRecordSettings } from './odd-records.js';
import type { FaultKind, SimulatorOptions } from './options.js';

/** Every fault kind the simulator knows. */
export const FAULT_KINDS: readonly FaultKind[] = [
  '429',
  '500',
  '502',
  '503',
  '504',
  'reset',
  'truncate',
  'html200',
  'error200',
  'slow',
  'stall',
  'short',
];

/** Kinds drawn from when `faults.rate` fires and no `kinds` are given. */
export const DEFAULT_RANDOM_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter(
  (k) => k !== 'slow' && k !== 'stall' && k !== 'short',
);

export interface ResolvedSimulatorOptions {
  seed: number;
  records: number;
  apiKey: string;
  port: number;
  pageLatencyMs: number;
  serveGate: ((request: number, pageno: number, pagesize: number) => Promise<void> | undefined) | null;
  faults: {
    rate: number;
    kinds: readonly FaultKind[];
    plan: ((request: number, pageno: number) => FaultKind | null) | null;
    retryAfterSeconds: number;
    retryAfterOn503: boolean;
    slowBodyMs: number;
    stallMs: number;
  };
  drift: { insertPerPage: number; deletePerPage: number; maxInserted: number };
  oddRecords: OddRecordSettings;
}

export const SIMULATOR_DEFAULTS: ResolvedSimulatorOptions = {
  seed: 1,
  records: 500,
  apiKey: 'sim-key-0000',
  port: 0,
  pageLatencyMs: 0,
  serveGate: null,
  faults: {
    rate: 0,
    kinds: DEFAULT_RANDOM_FAULT_KINDS,
    plan: null,
    retryAfterSeconds: 1,
    retryAfterOn503: false,
    slowBodyMs: 500,
    stallMs: 500,
  },
  drift: { insertPerPage: 0, deletePerPage: 0, maxInserted: Number.POSITIVE_INFINITY },
  oddRecords: { rate: 0, shapes: ODD_SHAPES, hugeTranscriptBytes: 200_000 },
};

/** Largest accepted `records` (keeps ids and dates in range). */
export const MAX_RECORDS = MAX_CALL_INDEX;

/** Validates options once and fills in defaults. */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  checkObject('options', options);
  const d = SIMULATOR_DEFAULTS;
  const faults: NonNullable<SimulatorOptions['faults']> = checkObject('faults', options.faults ?? {});
  const drift: NonNullable<SimulatorOptions['drift']> = checkObject('drift', options.drift ?? {});
  const odd: NonNullable<SimulatorOptions['oddRecords']> = checkObject(
    'oddRecords',
    options.oddRecords ?? {},
  );
  const shapes = odd.shapes ?? d.oddRecords.shapes;
  if (!Array.isArray(shapes) || shapes.length === 0 || !shapes.every((k) => ODD_SHAPES.includes(k))) {
    throw new InvalidOptionError(
      'oddRecords.shapes',
      `a non-empty array of ${ODD_SHAPES.join(', ')}`,
      shapes,
    );
  }

  const apiKey = options.apiKey ?? d.apiKey;
  if (typeof apiKey !== 'string' || apiKey.length === 0 || /[\s]/.test(apiKey)) {
    // Never echo a key: report only its type.
    throw new InvalidOptionError('apiKey', 'a non-empty string without whitespace', `[${typeof apiKey}]`);
  }
  const kinds = faults.kinds ?? d.faults.kinds;
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => FAULT_KINDS.includes(k))) {
    throw new InvalidOptionError('faults.kinds', `a non-empty array of ${FAULT_KINDS.join(', ')}`, kinds);
  }
  const plan = (checkOptionalFunction('faults.plan', faults.plan ?? undefined) ??
    null) as ResolvedSimulatorOptions['faults']['plan'];
  const maxInserted = drift.maxInserted ?? d.drift.maxInserted;
  if (maxInserted !== Number.POSITIVE_INFINITY) integer('drift.maxInserted', maxInserted, 0, MAX_RECORDS);

  return {
    seed: integer('seed', options.seed ?? d.seed, 0, 0xffffffff),
    records: integer('records', options.records ?? d.records, 0, MAX_RECORDS),
    apiKey,
    port: integer('port', options.port ?? d.port, 0, 65535),
    pageLatencyMs: number('pageLatencyMs', options.pageLatencyMs ?? d.pageLatencyMs, 0, 600_000),
    serveGate: (checkOptionalFunction('serveGate', options.serveGate ?? undefined) ??
      null) as ResolvedSimulatorOptions['serveGate'],
    faults: {
      rate: number('faults.rate', faults.rate ?? d.faults.rate, 0, 1),
      kinds: [...kinds],
      plan,
      retryAfterSeconds: integer(
        'faults.retryAfterSeconds',
        faults.retryAfterSeconds ?? d.faults.retryAfterSeconds,
        0,
        86_400,
      ),
      retryAfterOn503: boolean('faults.retryAfterOn503', faults.retryAfterOn503 ?? d.faults.retryAfterOn503),
      slowBodyMs: number('faults.slowBodyMs', faults.slowBodyMs ?? d.faults.slowBodyMs, 0, 600_000),
      stallMs: number('faults.stallMs', faults.stallMs ?? d.faults.stallMs, 0, 600_000),
    },
    drift: {
      insertPerPage: integer('drift.insertPerPage', drift.insertPerPage ?? d.drift.insertPerPage, 0, 10_000),
      deletePerPage: integer('drift.deletePerPage', drift.deletePerPage ?? d.drift.deletePerPage, 0, 10_000),
      maxInserted,
    },
    oddRecords: {
      rate: number('oddRecords.rate', odd.rate ?? d.oddRecords.rate, 0, 1),
      shapes: [...shapes],
      hugeTranscriptBytes: integer(
        'oddRecords.hugeTranscriptBytes',
        odd.hugeTranscriptBytes ?? d.oddRecords.hugeTranscriptBytes,
        1,
        50_000_000,
      ),
    },
  };
}

function integer(option: string, value: unknown, min: number, max: number): number {
  return checkInteger(option, value, { min, max });
}

function number(option: string, value: unknown, min: number, max: number): number {
  return checkNumber(option, value, { min, max });
}

function boolean(option: string, value: unknown): boolean {
  return checkBoolean(option, value, 'true or false');
}

/**
 * `startSimulator()`: a node:http server on 127.0.0.1 that serves the call-log API as docs/api-notes.md
 * describes it, with seeded data, fault injection and drift. The pieces live in files of their
 * own: `route-request.ts` and `serve-list.ts` (requests), `fault-injection.ts`, `call-drift.ts`,
 * `server-lifecycle.ts` (listen, delays, close).
 */
import { createServer } from 'node:http';
import { InvalidOptionError, LimitExceededError } from '@omnidim-stream/core';
import { CallDrift } from './call-drift.js';
import { CallStore } from './call-store.js';
import { createFaultChooser } from './fault-injection.js';
import type { RunningSimulator, SimulatorOptions, SimulatorStats } from './options.js';
import { resolveSimulatorOptions } from './resolve-options.js';
import { createRequestListener } from './route-request.js';
import { ServerLifecycle } from './server-lifecycle.js';

/** Bound on one insertCalls() call, so a typo cannot exhaust memory. */
const MAX_INSERT_AT_ONCE = 1_000_000;

/**
 * Starts the simulator on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const sim = await startSimulator({ records: 1000, seed: 7, faults: { plan: (n) => (n === 2 ? '503' : null) } });
 * const res = await fetch(`${sim.url}/calls/logs?pagesize=150`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
 * const { call_log_data, total_records } = await res.json();
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const opts = resolveSimulatorOptions(options);
  const store = new CallStore(opts.seed, opts.records, opts.oddRecords);
  const stats = emptyStats();
  const drift = new CallDrift(store, opts.drift, stats);
  const server = createServer({ keepAlive: true });
  const lifecycle = new ServerLifecycle(server);
  const chooseFault = createFaultChooser(opts.faults, opts.seed);
  server.on(
    'request',
    createRequestListener({ opts, store, stats, drift, chooseFault, wait: lifecycle.wait }),
  );
  const port = await lifecycle.listen(opts.port);

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    apiKey: opts.apiKey,
    stats,
    ids: () => store.ids(),
    oddShapes: () => store.oddShapes(),
    insertCalls(count: number): number[] {
      if (!Number.isInteger(count) || count < 0) {
        throw new InvalidOptionError('count', 'a non-negative integer', count);
      }
      if (count > MAX_INSERT_AT_ONCE) {
        throw new LimitExceededError(
          'insertCalls',
          `at most ${MAX_INSERT_AT_ONCE} calls at once, asked ${count}`,
        );
      }
      return drift.insert(count);
    },
    updateCalls: (ids, patch) => store.update(ids, patch),
    close: () => lifecycle.close(),
  };
}

function emptyStats(): SimulatorStats {
  return {
    requests: 0,
    listRequests: 0,
    inFlight: 0,
    maxInFlight: 0,
    faults: {},
    faultsInjected: 0,
    inserted: 0,
    deleted: 0,
    pagesRequested: [],
  };
}

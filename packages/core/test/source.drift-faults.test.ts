/**
 * Drift and faults together at concurrency > 1: a faulted response does not drift in the
 * simulator, but its retry arrives after its successors, i.e. after more insertions. Every call
 * of the starting view must still be handed on exactly once (it lost 6–13 of 100 calls before
 * the ordered reconciliation of drift.ts).
 */
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { completeness } from '../src/completeness.js';
import { paginateCallLogs } from '../src/paginate.js';
import { fakeSleep, ids } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);

describe('source: drift with faults', () => {
  it.each(SEEDS)(
    'seed %i: 3 calls inserted per page, 20 percent random faults of every kind, concurrency 4 and 8',
    async (seed) => {
      for (const concurrency of [4, 8]) {
        sim = await startSimulator({
          records: 100,
          seed,
          drift: { insertPerPage: 3 },
          faults: { rate: 0.2 },
        });
        const start = sim.ids();
        const calls = paginateCallLogs({
          apiKey: sim.apiKey,
          baseUrl: sim.url,
          pageSize: 10,
          concurrency,
          retry: { limit: 10, limit500: 10 },
          sleep: fakeSleep().sleep,
        });
        const got: { id?: unknown }[] = [];
        for await (const call of calls) got.push(call);
        const hint = `seed=${seed} concurrency=${concurrency} faults=${sim.stats.faultsInjected}`;
        expect(sim.stats.inserted, hint).toBeGreaterThan(0);
        expect(ids(got), hint).toEqual(start);
        expect(calls.stats.deletionsDetected, hint).toBe(0);
        expect(completeness(calls.stats), hint).toMatchObject({ missing: 0, proven: true });
        await sim.close();
        sim = undefined;
      }
    },
    60_000,
  );
});

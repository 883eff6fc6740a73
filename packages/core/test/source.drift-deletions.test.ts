import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { completeness } from '../src/completeness.js';
import type { DriftEvent } from '../src/events.js';
import { paginateCallLogs } from '../src/paginate.js';
import { collect, ids } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Exports with the given drift and checks the exactly-once contract on the starting view. */
async function exportUnderDrift(
  drift: { deletePerPage: number; insertPerPage?: number },
  concurrency: number,
  pageSize: number,
  records = 300,
) {
  sim = await startSimulator({ records, drift });
  const startIds = sim.ids();
  const events: DriftEvent[] = [];
  const calls = paginateCallLogs({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    pageSize,
    concurrency,
    onDrift: (e) => events.push(e),
  });
  const got = ids(await collect(calls));
  const survivors = new Set(sim.ids());
  const start = new Set(startIds);
  const gotSet = new Set(got);
  return {
    got,
    events,
    stats: calls.stats,
    deletedDuringExport: startIds.filter((id) => !survivors.has(id)).length,
    skippedSurvivors: startIds.filter((id) => survivors.has(id) && !gotSet.has(id)),
    notInView: got.filter((id) => !start.has(id)),
  };
}

describe('drift: deletions while paging', () => {
  it.each([
    [1, 10],
    [4, 10],
    [8, 10],
    [1, 25],
    [4, 25],
    [8, 7],
  ])(
    'deletePerPage 2, concurrency %i, pageSize %i: every surviving starting call once, newest first',
    async (concurrency, pageSize) => {
      const r = await exportUnderDrift({ deletePerPage: 2 }, concurrency, pageSize);
      expect(r.deletedDuringExport).toBeGreaterThan(0);
      expect(r.skippedSurvivors).toEqual([]);
      expect(new Set(r.got).size).toBe(r.got.length);
      expect(r.got).toEqual([...r.got].sort((a, b) => b - a));
      expect(r.notInView).toEqual([]);
      // Deletions are reported, never silent.
      expect(r.stats.deletionsDetected).toBeGreaterThan(0);
      expect(r.events.some((e) => e.kind === 'deletion')).toBe(true);
      const report = completeness(r.stats);
      expect(report.ended).toBe(true);
      expect(report.emitted).toBe(r.got.length);
    },
  );

  it.each([1, 4, 8])(
    'heavy deletions (deletePerPage 5), concurrency %i: no surviving call skipped or repeated',
    async (concurrency) => {
      const r = await exportUnderDrift({ deletePerPage: 5 }, concurrency, 12, 400);
      expect(r.deletedDuringExport).toBeGreaterThan(50);
      expect(r.skippedSurvivors).toEqual([]);
      expect(new Set(r.got).size).toBe(r.got.length);
      expect(r.got).toEqual([...r.got].sort((a, b) => b - a));
    },
  );

  it.each([
    [1, { insertPerPage: 3, deletePerPage: 2 }],
    [4, { insertPerPage: 3, deletePerPage: 2 }],
    [8, { insertPerPage: 3, deletePerPage: 2 }],
    [4, { insertPerPage: 2, deletePerPage: 4 }],
    [8, { insertPerPage: 5, deletePerPage: 5 }],
  ])(
    'mixed insertions and deletions, concurrency %i %o: every surviving starting call once, no newer call',
    async (concurrency, drift) => {
      const r = await exportUnderDrift(drift, concurrency, 15);
      expect(r.deletedDuringExport).toBeGreaterThan(0);
      expect(r.skippedSurvivors).toEqual([]);
      expect(new Set(r.got).size).toBe(r.got.length);
      expect(r.got).toEqual([...r.got].sort((a, b) => b - a));
      expect(r.notInView).toEqual([]);
      expect(sim?.stats.inserted).toBeGreaterThan(0);
      expect(r.stats.insertedSeen + r.stats.duplicatesDropped).toBeGreaterThan(0);
    },
  );
});

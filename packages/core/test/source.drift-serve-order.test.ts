/**
 * Drift reconciliation must not depend on the order in which the server serves a prefetch
 * window: insertions at the head and deletions further down, at concurrency 8, with the first
 * window served in fixed orders (ascending, descending, seeded shuffles). Whatever the order,
 * either every starting call that survived the run is handed on, or the source does not claim
 * completeness (`completeness().proven` false: the engine then refuses to commit, exit 5).
 * Expected ids come from the simulator (`sim.ids()` before and after the run).
 */
import { type RunningSimulator, seededRank, serveOrder, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { completeness } from '../src/completeness.js';
import { paginateCallLogs } from '../src/paginate.js';
import { collectIds } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

// What the reconciler does with each order: closes it (every surviving call handed on), or
// refuses loudly (DriftError: nothing handed on is claimed complete; the engine exits 4 and
// commits nothing). Until the simulator's serveOrder released the request completing the
// window in its place (serve-order.order.test.ts), every order here served page 2 last and
// 'seed 1' closed; served as ranked, its ids look out of order to the ordered path (a call slid
// over a boundary taken from equal totals: insertions and deletions keep the total constant).
type Outcome = 'closes' | 'refuses';
const ORDERS: [string, (pageno: number) => number, Outcome][] = [
  ['ascending', (p) => p, 'closes'],
  ['descending', (p) => -p, 'closes'],
  ['page 2 last', (p) => (p === 2 ? 100 : p), 'closes'],
  ['seed 1', seededRank(1), 'refuses'],
  ['seed 2', seededRank(2), 'closes'],
  ['seed 3', seededRank(3), 'closes'],
];

describe('drift: the serve order of a prefetch window', () => {
  it.each(ORDERS)(
    'insert 5 + delete 5 per page, concurrency 8, window served %s: no surviving call missing unless completeness is not proven',
    async (_name, rank, outcome) => {
      const order = serveOrder(8, rank);
      sim = await startSimulator({
        records: 300,
        drift: { insertPerPage: 5, deletePerPage: 5 },
        serveGate: order.gate,
      });
      const start = sim.ids();
      if (outcome === 'refuses') {
        await expect(collectIds(calls())).rejects.toMatchObject({ code: 'DRIFT' });
        expect(order.served).toHaveLength(8);
        return;
      }
      const got = new Set(await collectIds(calls()));
      const survivors = new Set(sim.ids());
      const skipped = start.filter((id) => survivors.has(id) && !got.has(id));
      expect(order.served).toHaveLength(8);
      expect(sim.stats.deleted).toBeGreaterThan(0);
      const report = completeness(lastStats());
      expect(report.ended).toBe(true);
      if (skipped.length > 0)
        expect(report.proven, `${skipped.length} skipped: ${report.reason}`).toBe(false);
      // The reconciler closes these orders: refetches/probes read the boundaries again.
      expect(skipped).toEqual([]);
    },
  );
});

let stats: ReturnType<typeof paginateCallLogs>['stats'] | undefined;
function calls() {
  const s = sim as RunningSimulator;
  const source = paginateCallLogs({ apiKey: s.apiKey, baseUrl: s.url, pageSize: 15, concurrency: 8 });
  stats = source.stats;
  return source;
}
function lastStats() {
  if (stats === undefined) throw new Error('no source');
  return stats;
}

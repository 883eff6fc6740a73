/**
 * `serveOrder` serves its held window in rank order, the request that completes the window
 * included (it used to be served last whatever its rank: every drift serve-order test then
 * served page 2, the last one its source requested, last). The order is read from the list
 * itself: each page served inserts one call at the head, so the i-th page served reports
 * `total_records` = start + 1 (page 1's drift) + i − 1.
 */
import { type RunningSimulator, seededRank, serveOrder, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { getList } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const ORDERS: [string, (pageno: number) => number][] = [
  ['ascending', (p) => p],
  ['descending', (p) => -p],
  ['seed 1', seededRank(1)],
];

describe('serveOrder', () => {
  it.each(ORDERS)(
    'serves the held window %s, the request that completes it in its place',
    async (_name, rank) => {
      const order = serveOrder(4, rank);
      sim = await startSimulator({ records: 100, drift: { insertPerPage: 1 }, serveGate: order.gate });
      const s = sim;
      await getList(s, '?pageno=1&pagesize=10');
      const first = [2, 3, 4].map((p) => getList(s, `?pageno=${p}&pagesize=10`));
      // Page 5 arrives last: its request completes the window.
      while (s.stats.listRequests < 4) await new Promise((resolve) => setImmediate(resolve));
      const pages = await Promise.all([...first, getList(s, '?pageno=5&pagesize=10')]);
      const byRank = [2, 3, 4, 5].sort((a, b) => rank(a) - rank(b));
      expect(order.served).toEqual(byRank);
      const totals = pages.map((body) => body.total_records);
      expect(totals).toEqual([2, 3, 4, 5].map((p) => 101 + byRank.indexOf(p)));
    },
  );
});

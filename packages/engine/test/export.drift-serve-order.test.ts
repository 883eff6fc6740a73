/**
 * No exit 0 with calls missing, whatever order the server serves a prefetch window in: an
 * export at concurrency 8 while calls are inserted at the head and deleted further down, the
 * first window served in fixed orders (simulator `serveOrder`). Either the run commits and the
 * lake (read back by DuckDB) holds every starting call that survived the run (`sim.ids()`
 * before and after), with completeness proven; or it fails with INCOMPLETE (CLI exit 5) and the
 * previous lake stays byte-for-byte.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OmnidimError } from '@omnidim-stream/core';
import { seededRank, serveOrder, startSimulator } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { exportCallLogs } from '../src/index.js';
import { callsOf, duck, engineScope } from './helpers.js';

const ORDERS: [string, (pageno: number) => number][] = [
  ['descending', (p) => -p],
  ['ascending', (p) => p],
  ['seed 4', seededRank(4)],
];

describe('export under drift: the serve order of a prefetch window', () => {
  const scope = engineScope();

  it.each(ORDERS)(
    'window served %s: committed with every surviving call, or INCOMPLETE and the lake kept',
    async (_name, rank) => {
      const lake = await scope.lake();
      const quiet = await startSimulator({ records: 300 });
      const base = {
        apiKey: quiet.apiKey,
        outDir: lake,
        format: 'parquet' as const,
        pageSize: 15,
        concurrency: 8,
      };
      try {
        await exportCallLogs({ ...base, baseUrl: quiet.url });
      } finally {
        await quiet.close();
      }
      const manifest = await readFile(join(lake, '_manifest.json'));

      const order = serveOrder(8, rank);
      const sim = await scope.start({ drift: { insertPerPage: 5, deletePerPage: 5 }, serveGate: order.gate });
      const start = sim.ids();
      const outcome = await exportCallLogs({ ...base, baseUrl: sim.url }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error: error as OmnidimError }),
      );
      expect(order.served).toHaveLength(8);
      expect(sim.stats.deleted).toBeGreaterThan(0);
      if ('error' in outcome) {
        expect(outcome.error.code, String(outcome.error)).toBe('INCOMPLETE');
        expect(await readFile(join(lake, '_manifest.json'))).toEqual(manifest);
        return;
      }
      const survivors = new Set(sim.ids());
      const rows = await duck(`SELECT id FROM ${callsOf(lake)}`);
      const exported = new Set(rows.map((r) => Number(r['id'])));
      expect(start.filter((id) => survivors.has(id) && !exported.has(id))).toEqual([]);
      expect(outcome.result.completeness?.proven).toBe(true);
    },
  );
});

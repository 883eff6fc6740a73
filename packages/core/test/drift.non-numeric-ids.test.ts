/**
 * Drift with ids that are not numbers (NOTES.md: ids are inferred to be integers, never promised).
 * Without a numeric id the reconciler cannot lean on id order: only its two dedup guards stand
 * between an insertion during the export and a call handed on twice, namely rows up to the
 * anchor found by id are skipped, and a `Set` of ids passed on drops any id seen before. These
 * tests fail when both are gone, in the reconciler alone and through HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallLog } from '../src/call-log.js';
import { DriftReconciler } from '../src/drift.js';
import { paginateCallLogs } from '../src/paginate.js';
import { collect } from './helpers.js';

/** A newest-first list of string ids ("call-z0040", …) with offset paging, like GET /calls/logs. */
class StringIdList {
  ids: string[];
  #next: number;
  constructor(count: number) {
    this.ids = Array.from({ length: count }, (_, i) => StringIdList.idFor(count - i));
    this.#next = count + 1;
  }
  /** Not digits only, so the reconciler's numeric reading of ids never applies. */
  static idFor(n: number): string {
    return `call-z${String(n).padStart(4, '0')}`;
  }
  serve(page: number, size: number) {
    const records: CallLog[] = this.ids.slice((page - 1) * size, page * size).map((id) => ({ id }));
    return { page, records, total_records: this.ids.length };
  }
  insert(n: number) {
    for (let i = 0; i < n; i += 1) this.ids.unshift(StringIdList.idFor(this.#next++));
  }
}

function duplicatesIn(ids: readonly unknown[]): unknown[] {
  const seen = new Set<unknown>();
  return ids.filter((id) => seen.has(id) || !seen.add(id));
}

describe('non-numeric ids under insertion drift: each call handed on once', () => {
  it('reconciler: rows pushed onto the next page by insertions are dropped, none lost', () => {
    const list = new StringIdList(30);
    const startIds = [...list.ids];
    const r = new DriftReconciler(10);
    const out: unknown[] = [];
    for (let page = 1; page <= 4; page += 1) {
      const decision = r.accept(list.serve(page, 10));
      // Sequential reads after insertions at the head never leave a gap: every page is accepted.
      expect(decision.kind).toBe('accept');
      if (decision.kind === 'accept') out.push(...decision.records.map((x) => x.id));
      list.insert(3);
    }
    expect(duplicatesIn(out)).toEqual([]);
    expect(out).toEqual(startIds);
    expect(r.duplicatesDropped).toBe(9);
  });

  describe('through HTTP (a loopback server that inserts calls after every page served)', () => {
    let server: Server | undefined;
    afterEach(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      server = undefined;
    });

    it.each([1, 4])('concurrency %i: no id twice, no starting call missing', async (concurrency) => {
      const list = new StringIdList(200);
      const startIds = [...list.ids];
      server = createServer((req, res) => {
        const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
        const body = JSON.stringify(
          (({ records, total_records }) => ({ call_log_data: records, total_records }))(
            list.serve(Number(query.get('pageno') ?? 1), Number(query.get('pagesize') ?? 30)),
          ),
        );
        list.insert(3);
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const calls = paginateCallLogs({
        apiKey: 'k',
        baseUrl: `http://127.0.0.1:${port}/api/v1`,
        pageSize: 20,
        concurrency,
      });
      const got = (await collect(calls)).map((c) => c.id);
      expect(duplicatesIn(got)).toEqual([]);
      const gotSet = new Set(got);
      expect(startIds.filter((id) => !gotSet.has(id))).toEqual([]);
      expect(calls.stats.duplicatesDropped).toBeGreaterThan(0);
    });
  });
});

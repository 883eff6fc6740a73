/**
 * Issue 11 items 2–5: the real CLI against a hostile server of our own (harness/hostile-server.ts)
 * that serves odd id orders, pages short then whole, endless pages and huge bodies. The rule
 * under test: a run never exits 0 with calls missing; when it cannot be complete it exits 4 or 5
 * and commits nothing. The lake is read back with DuckDB.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader, type Format, listFiles } from './harness/dataset.js';
import {
  type HostileMode,
  type HostileServer,
  type IdOrder,
  startHostileServer,
} from './harness/hostile-server.js';
import { ROOT, runCliInProcess, spawnCli } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SETTINGS, scenarioSeed } from './harness/settings.js';

let reader: DuckReader;
let server: HostileServer | undefined;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
});
afterAll(() => reader.close());
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const c of cleanups.splice(0)) await c();
});

const RECORDS = 300;
const PAGE_SIZE = 10;

async function exportFrom(
  behaviour: HostileMode,
  { format = 'parquet' as Format, extra = [] as string[], concurrency = 4, records = RECORDS } = {},
) {
  server = await startHostileServer({ seed: scenarioSeed(11), records, apiKey: LEAK_KEY, behaviour });
  const dir = await tempDir('hostile');
  cleanups.push(dir.remove);
  const out = `${dir.path}/lake`;
  const run = await runCliInProcess(
    exportArgv({ out, format, baseUrl: server.url, pageSize: PAGE_SIZE, concurrency, extra }),
    keyEnv(),
  );
  return { run, out, format, server, hint: `${JSON.stringify(behaviour)} ${replayHint()}` };
}

/** A failed run commits nothing: no manifest, no data file. */
async function expectNothingCommitted(out: string, hint: string): Promise<void> {
  expect(existsSync(`${out}/_manifest.json`), hint).toBe(false);
  const data = (await listFiles(out)).filter((f) =>
    /^(calls|interactions|function_calls|webhooks)\//.test(f),
  );
  expect(data, hint).toEqual([]);
}

describe('issue 11 item 2: ids that do not descend', () => {
  const ORDERS: IdOrder[] = ['descending', 'ascending', 'swaps', 'random'];

  it.each(ORDERS)(
    'ids %s, no drift: exit 0 and every call exported exactly once',
    async (idOrder) => {
      const { run, out, format, server: s, hint } = await exportFrom({ mode: 'ids', idOrder });
      expect(run.code, describeRun(run)).toBe(0);
      await checkDataset(reader, out, format, hint);
      expect(compareIds(s.initialIds, await reader.ids(out, format)), hint).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    },
    SETTINGS.timeoutMs,
  );

  it.each(ORDERS)(
    'ids %s, 2 calls inserted at the head per page served: exit 0 with every call once, or non-zero with nothing committed',
    async (idOrder) => {
      const {
        run,
        out,
        format,
        server: s,
        hint,
      } = await exportFrom({
        mode: 'ids',
        idOrder,
        insertPerPage: 2,
      });
      if (run.code === 0) {
        await checkDataset(reader, out, format, hint);
        const exported = await reader.ids(out, format);
        const initial = new Set(s.initialIds);
        const inserted = new Set(exported.filter((id) => !initial.has(id)));
        expect(compareIds(s.initialIds, exported, inserted), hint).toEqual({
          missing: [],
          duplicated: [],
          unexpected: [],
        });
      } else {
        expect([4, 5], describeRun(run)).toContain(run.code);
        await expectNothingCommitted(out, hint);
      }
      // The documented order must stay on the fast path: it is reconciled, not refused.
      if (idOrder === 'descending') expect(run.code, describeRun(run)).toBe(0);
      console.log(
        `[e2e hostile ids=${idOrder} insertPerPage=2] exit=${run.code} requests=${s.requests} ${hint}`,
      );
    },
    SETTINGS.timeoutMs,
  );
});

describe('issue 11 item 3: a short page recovered by a later read', () => {
  it('page 5 half-full on its first 3 reads (retries included), whole when read again: exit 0, every call once', async () => {
    const {
      run,
      out,
      format,
      server: s,
      hint,
    } = await exportFrom({ mode: 'short', page: 5, pageSize: PAGE_SIZE, times: 3 });
    expect(run.code, describeRun(run)).toBe(0);
    await checkDataset(reader, out, format, hint);
    expect(compareIds(s.initialIds, await reader.ids(out, format)), hint).toEqual({
      missing: [],
      duplicated: [],
      unexpected: [],
    });
  });

  it('page 5 half-full on every read (probes included): exit 5, nothing committed', async () => {
    const { run, out, hint } = await exportFrom({
      mode: 'short',
      page: 5,
      pageSize: PAGE_SIZE,
      times: Number.POSITIVE_INFINITY,
    });
    expect(run.code, describeRun(run)).toBe(5);
    expect(run.stderr).toMatch(/295 of 300 expected call\(s\) handed on/);
    await expectNothingCommitted(out, hint);
  });

  it('an empty page in the middle of the list: exit 5, nothing committed', async () => {
    const { run, out, hint } = await exportFrom({ mode: 'empty-mid', page: 7, pageSize: PAGE_SIZE });
    expect(run.code, describeRun(run)).toBe(5);
    await expectNothingCommitted(out, hint);
  });
});

describe('issue 11 item 4: paging ends when pages stop bringing new calls', () => {
  it('the same page for every pageno with total_records 1e9: exit 4 after --max-stale-pages pages', async () => {
    const { run, out, server: s, hint } = await exportFrom({ mode: 'same-page' }, { concurrency: 1 });
    expect(run.code, describeRun(run)).toBe(4);
    expect(run.stderr).toMatch(/maxStalePages/);
    expect(run.stderr).toMatch(/--max-stale-pages/);
    // Page 1, then 5 stale pages (default 5); no refetch needed on an unchanging list.
    expect(s.requests, hint).toBeLessThanOrEqual(1 + 5 + 5);
    await expectNothingCommitted(out, hint);
  });

  it('--max-stale-pages 2 stops sooner', async () => {
    const {
      run,
      server: s,
      hint,
    } = await exportFrom({ mode: 'same-page' }, { concurrency: 1, extra: ['--max-stale-pages', '2'] });
    expect(run.code, describeRun(run)).toBe(4);
    expect(s.requests, hint).toBeLessThanOrEqual(1 + 2 + 2);
  });

  it('new ids forever with total_records 1e9: --max-pages bounds it with exit 4', async () => {
    const {
      run,
      out,
      server: s,
      hint,
    } = await exportFrom({ mode: 'endless-new' }, { concurrency: 2, extra: ['--max-pages', '30'] });
    expect(run.code, describeRun(run)).toBe(4);
    expect(run.stderr).toMatch(/maxPages/);
    expect(s.requests, hint).toBeLessThanOrEqual(30 + 2);
    await expectNothingCommitted(out, hint);
  });
});

describe('issue 11 item 5: bounded memory per response', () => {
  const HUGE = 200 * 1024 * 1024;

  it.each([true, false])(
    'a 200 MB body (Content-Length announced: %s) fails fast with exit 4, naming the limit and flag',
    async (announce) => {
      const {
        run,
        out,
        server: s,
        hint,
      } = await exportFrom(
        { mode: 'huge', bytes: HUGE, announce },
        { concurrency: 1, extra: ['--max-response-size', '1MiB'] },
      );
      expect(run.code, describeRun(run)).toBe(4);
      expect(run.stderr).toMatch(/maxResponseBytes = 1048576 bytes/);
      expect(run.stderr).toMatch(/--max-response-size/);
      // Not retried: one request; reading stopped near the limit. What the server could push into
      // loopback socket buffers before the client hung up is counted too, hence the margin.
      expect(s.requests, hint).toBe(1);
      expect(s.hugeBytesSent, hint).toBeLessThan(32 * 1024 * 1024);
      await expectNothingCommitted(out, hint);
    },
  );

  it('the default limit (16 MiB) also stops a 200 MB body', async () => {
    const {
      run,
      server: s,
      hint,
    } = await exportFrom({ mode: 'huge', bytes: HUGE, announce: false }, { concurrency: 1 });
    expect(run.code, describeRun(run)).toBe(4);
    expect(run.stderr).toMatch(/maxResponseBytes = 16777216 bytes/);
    expect(s.hugeBytesSent, hint).toBeLessThan(HUGE / 2);
  });

  it(
    "a 45 MB body under the README's capped heap: exit 4, not an abort (134)",
    async () => {
      server = await startHostileServer({
        seed: scenarioSeed(11),
        records: RECORDS,
        apiKey: LEAK_KEY,
        behaviour: { mode: 'huge', bytes: 45 * 1024 * 1024, announce: false },
      });
      const dir = await tempDir('hostile-heap');
      cleanups.push(dir.remove);
      const argv = exportArgv({
        out: `${dir.path}/lake`,
        format: 'parquet',
        baseUrl: server.url,
        pageSize: PAGE_SIZE,
      });
      const { done } = spawnCli(
        argv,
        { ...keyEnv(), NODE_OPTIONS: '--max-old-space-size=96 --max-semi-space-size=4' },
        ROOT,
      );
      const run = await done;
      expect(run.signal, describeRun(run)).toBe(null);
      expect(run.code, describeRun(run)).toBe(4);
      expect(run.stderr).toMatch(/--max-response-size/);
      await expectNothingCommitted(`${dir.path}/lake`, replayHint());
    },
    SETTINGS.timeoutMs,
  );

  it('--max-response-size refuses a value without a size before any request (exit 2)', async () => {
    const { run, server: s } = await exportFrom(
      { mode: 'same-page' },
      { extra: ['--max-response-size', '12'] },
    );
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toMatch(/--max-response-size/);
    expect(s.requests).toBe(0);
  });
});

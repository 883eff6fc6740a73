import diagnostics from 'node:diagnostics_channel';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { paginateCallLogPages } from '../src/paginate.js';
import { quiesce, untilListRequests } from './helpers.js';

// Latency hiding (issue 21 goal 5): which pages are requested when, counted on the simulator's side.
let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const sorted = (pages: readonly number[]) => [...pages].sort((a, b) => a - b);

describe('prefetch schedule', () => {
  it('page 1 alone, then its answer sends concurrency pages before page 1 is handed on, page 2 first; each later answer sends the next', async () => {
    sim = await startSimulator({ records: 400 });
    // Each request as the client sends it (undici's own channel), and whether page 1 had
    // reached the consumer then.
    let handedOn = false;
    let answered = 0;
    const sent: { pageno: number; answered: number; handedOn: boolean }[] = [];
    const onCreate = (message: unknown) => {
      const path = (message as { request: { path: string } }).request.path;
      sent.push({ pageno: Number(/pageno=(\d+)/.exec(path)?.[1]), answered, handedOn });
    };
    const onHeaders = () => {
      answered += 1;
    };
    diagnostics.subscribe('undici:request:create', onCreate);
    diagnostics.subscribe('undici:request:headers', onHeaders);
    try {
      const concurrency = 4;
      const pages = paginateCallLogPages({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 20, concurrency });
      await pages.next();
      handedOn = true;
      await untilListRequests(sim, 1 + 2 * (concurrency - 1));
      // Page 1 alone (no other request before its answer), then pages 2..concurrency + 1 left
      // before page 1 reached its consumer, page 2 first: `concurrency` in flight.
      expect(sent.slice(0, 1 + concurrency)).toEqual([
        { pageno: 1, answered: 0, handedOn: false },
        ...[2, 3, 4, 5].map((pageno) => ({ pageno, answered: 1, handedOn: false })),
      ]);
      // The rest of the read-ahead (pages 6, 7: 2 × (concurrency − 1) ahead of page 1) left on
      // the answers to pages 2..5, in page order, without the consumer asking for anything.
      expect(sent.slice(1 + concurrency).map((s) => s.pageno)).toEqual([6, 7]);
      for (const s of sent.slice(1 + concurrency)) expect(s.answered).toBeGreaterThan(1);
      await pages.next();
      await untilListRequests(sim, 2 + 2 * (concurrency - 1));
      expect(sorted(sim.stats.pagesRequested)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      await pages.return(undefined);
    } finally {
      diagnostics.unsubscribe('undici:request:create', onCreate);
      diagnostics.unsubscribe('undici:request:headers', onHeaders);
    }
  });

  it('the empty page closing an exactly full list is prefetched with the last planned pages', async () => {
    // 100 calls at 20 a page: page 5 is full, so only the empty page 6 ends the list.
    sim = await startSimulator({ records: 100, pageLatencyMs: 20 });
    const pages = paginateCallLogPages({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 20,
      concurrency: 8,
    });
    await pages.next();
    await pages.next();
    // Holding page 2: its window reaches past the plan's 5 pages to the closing page, and no
    // further.
    await quiesce(sim);
    expect(sorted(sim.stats.pagesRequested)).toEqual([1, 2, 3, 4, 5, 6]);
    let handedOn = 40;
    for await (const page of pages) handedOn += page.records.length;
    expect(handedOn).toBe(100);
    // And it is requested once: taken from the window, not asked again.
    expect(sorted(sim.stats.pagesRequested)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a list whose last planned page is short gets no request past it', async () => {
    sim = await startSimulator({ records: 90, pageLatencyMs: 20 });
    const pages = paginateCallLogPages({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 20,
      concurrency: 8,
    });
    let handedOn = 0;
    for await (const page of pages) handedOn += page.records.length;
    expect(handedOn).toBe(90);
    await quiesce(sim);
    expect(sorted(sim.stats.pagesRequested)).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([
    ['stopWhen', { stopWhen: (call: { id?: unknown }) => call.id === STOP_AT.id }],
    ['maxRecords', { maxRecords: 5 }],
  ] as const)(
    'a stop (%s) within page 1 opens no window: page 1 is the only request',
    async (_rule, stop) => {
      // An incremental run whose watermark is on page 1 (the usual cron run) read page 1 alone
      // before issue 21's early window; the window opened on page 1's answer must not undo that.
      sim = await startSimulator({ records: 400 });
      STOP_AT.id = sim.ids()[5];
      const created: number[] = [];
      const onCreate = (message: unknown) => {
        const path = (message as { request: { path: string } }).request.path;
        created.push(Number(/pageno=(\d+)/.exec(path)?.[1]));
      };
      diagnostics.subscribe('undici:request:create', onCreate);
      try {
        const pages = paginateCallLogPages({
          apiKey: sim.apiKey,
          baseUrl: sim.url,
          pageSize: 20,
          concurrency: 4,
          ...stop,
        });
        let handedOn = 0;
        for await (const page of pages) handedOn += page.records.length;
        expect(handedOn).toBe(5);
        expect(pages.stats.stoppedEarly).toBe(true);
        // Every request the client made, including any aborted before the server saw it.
        expect(created).toEqual([1]);
      } finally {
        diagnostics.unsubscribe('undici:request:create', onCreate);
      }
    },
  );
});

/** The id whose call stops the `stopWhen` case (the 6th newest: on page 1). */
const STOP_AT: { id: unknown } = { id: undefined };

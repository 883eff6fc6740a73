import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { paginateCallLogPages } from '../src/paginate.js';
import { quiesce } from './helpers.js';

// Latency hiding (issue 21 goal 5): which pages are requested when, counted on the simulator's side.
let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const sorted = (pages: readonly number[]) => [...pages].sort((a, b) => a - b);

describe('prefetch schedule', () => {
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
    // Holding page 2: its window reaches past the plan's 5 pages to the closing page.
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
});

import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallLogCheckpoint } from '../src/checkpoint.js';
import { completeness } from '../src/completeness.js';
import { paginateCallLogs } from '../src/paginate.js';
import { collectIds, fakeSleep } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('completeness', () => {
  it('a clean export is complete and proven', async () => {
    sim = await startSimulator({ records: 130 });
    const calls = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 30 });
    expect(await collectIds(calls)).toEqual(sim.ids());
    expect(completeness(calls.stats)).toMatchObject({
      ended: true,
      expected: 130,
      emitted: 130,
      missing: 0,
      proven: true,
    });
  });

  it.each([2, 5])(
    'a page that stays short (every attempt of page %i) is reported as missing, not as a deletion',
    async (shortPage) => {
      sim = await startSimulator({
        records: 130,
        faults: { plan: (_r, pageno) => (pageno === shortPage ? 'short' : null) },
      });
      const view = sim.ids();
      const { sleep } = fakeSleep();
      const calls = paginateCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        pageSize: 30,
        concurrency: 2,
        sleep,
      });
      const got = await collectIds(calls);
      const lost = view.filter((id) => !got.includes(id));
      expect(lost.length).toBe(1);
      expect(sim.stats.faults.short).toBeGreaterThanOrEqual(3); // first attempt + the short-page retries
      const report = completeness(calls.stats);
      expect(calls.stats.deletionsDetected).toBe(0);
      expect(calls.stats.shortPages).toBe(1);
      expect(report).toMatchObject({ ended: true, expected: 130, emitted: 129, missing: 1, proven: false });
      expect(report.reason).toMatch(/^1 call\(s\) missing: .*1 page\(s\) stayed shorter/);
    },
  );

  it('while running, the figures are provisional', async () => {
    sim = await startSimulator({ records: 100 });
    const calls = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 30 });
    await calls.next();
    expect(completeness(calls.stats)).toMatchObject({ ended: false, proven: false });
    await calls.return(undefined);
  });

  it('a resumed export counts the calls handed on before the crash', async () => {
    sim = await startSimulator({ records: 100 });
    let checkpoint: CallLogCheckpoint | undefined;
    const first = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 30,
      onCheckpoint: (c) => {
        checkpoint ??= c;
      },
    });
    for await (const _ of first) if (checkpoint) break;
    sim.insertCalls(3);
    const second = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 30,
      resume: checkpoint,
    });
    expect((await collectIds(second)).length).toBe(70);
    expect(completeness(second.stats)).toMatchObject({
      expected: 100,
      emitted: 100,
      missing: 0,
      proven: true,
    });
  });
});

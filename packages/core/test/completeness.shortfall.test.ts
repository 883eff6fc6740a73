import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { completeness } from '../src/completeness.js';
import { paginateCallLogs } from '../src/paginate.js';
import { stopAtOrBelowId } from '../src/stop-rule.js';
import { collectIds, fakeSleep } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('completeness: shortfall of a page that stays short', () => {
  it.each([
    [20, 1],
    [29, 1],
  ])(
    'stopWhen fires inside the short page (row %i of page 3): missing counts the row lost above the stop',
    async (stopRow, lostAbove) => {
      // The 'short' fault drops one row from the middle of every response to page 3 (row 15 of
      // 30) while total_records stays the same.
      sim = await startSimulator({
        records: 200,
        faults: { plan: (_r, pageno) => (pageno === 3 ? 'short' : null) },
      });
      const view = sim.ids();
      const stopId = view[60 + stopRow] as number;
      const { sleep } = fakeSleep();
      const calls = paginateCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        pageSize: 30,
        concurrency: 1,
        sleep,
        stopWhen: stopAtOrBelowId(stopId),
      });
      const got = await collectIds(calls);
      // Independent count: calls of the view newer than the stop call that were not handed on.
      const promised = view.filter((id) => id > stopId);
      const realMissing = promised.filter((id) => !got.includes(id)).length;
      expect(realMissing).toBe(lostAbove);
      expect(calls.stats.stopReason).toBe('stopWhen');
      const report = completeness(calls.stats);
      expect(report.shortfall).toBe(1);
      expect(report.missing).toBeGreaterThanOrEqual(realMissing);
      expect(report.proven).toBe(false);
      expect(report.reason).toMatch(/missing/);
    },
  );

  it('counts each short page once, however often it was re-read, settles one read whole later, never below the calls lost', async () => {
    sim = await startSimulator({
      records: 200,
      faults: { plan: (_r, pageno) => (pageno === 2 || pageno === 4 ? 'short' : null) },
    });
    const view = sim.ids();
    const { sleep } = fakeSleep();
    const calls = paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 30, sleep });
    const got = await collectIds(calls);
    const lost = view.filter((id) => !got.includes(id)).length;
    // Page 2's dropped row is lost (above every later anchor); page 4's is read again by the
    // boundary probe that follows it, a whole response covering page 4's window, which settles
    // page 4's shortfall (issue 11 item 3). Missing is never below what was lost.
    expect(lost).toBeGreaterThanOrEqual(1);
    expect(calls.stats.shortPages).toBe(2);
    const report = completeness(calls.stats);
    expect(report).toMatchObject({ proven: false });
    expect(report.shortfall).toBeGreaterThanOrEqual(1);
    expect(report.shortfall).toBeLessThanOrEqual(2);
    expect(report.missing).toBeGreaterThanOrEqual(lost);
  });
});

import { once } from 'node:events';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallLogCheckpoint } from '../src/checkpoint.js';
import { completeness } from '../src/completeness.js';
import { paginateCallLogs } from '../src/paginate.js';
import { resumePage } from '../src/resume-locate.js';
import { callLogs } from '../src/stream.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const PAGE = 20;

/**
 * Run 1: reads until `pages` checkpoints were reported, then "crashes" in the middle of the next
 * page (breaks after a few more calls). Returns the calls covered by the last checkpoint, as a
 * crash-safe caller would have committed them, and that checkpoint (through JSON, as stored).
 */
async function crashAfter(s: RunningSimulator, pages: number, concurrency = 3) {
  const checkpoints: CallLogCheckpoint[] = [];
  const seen: number[] = [];
  const calls = paginateCallLogs({
    apiKey: s.apiKey,
    baseUrl: s.url,
    pageSize: PAGE,
    concurrency,
    onCheckpoint: (c) => checkpoints.push(c),
  });
  for await (const call of calls) {
    seen.push(call.id as number);
    if (checkpoints.length === pages && seen.length === pages * PAGE + 5) break;
  }
  const checkpoint = JSON.parse(JSON.stringify(checkpoints[pages - 1])) as CallLogCheckpoint;
  return { committed: seen.slice(0, checkpoint.emitted), checkpoint, checkpoints };
}

async function resumeRun(s: RunningSimulator, checkpoint: CallLogCheckpoint, concurrency = 3) {
  const before = s.stats.pagesRequested.length;
  const calls = paginateCallLogs({
    apiKey: s.apiKey,
    baseUrl: s.url,
    pageSize: PAGE,
    concurrency,
    resume: checkpoint,
  });
  const got: number[] = [];
  for await (const call of calls) got.push(call.id as number);
  return { got, stats: calls.stats, pages: s.stats.pagesRequested.slice(before) };
}

describe('checkpoints', () => {
  it('after each page handed on: emitted, lastId, position and the fixed view', async () => {
    sim = await startSimulator({ records: 95 });
    const view = sim.ids();
    const checkpoints: CallLogCheckpoint[] = [];
    const calls = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: PAGE,
      filters: {},
      onCheckpoint: (c) => checkpoints.push(c),
    });
    let handed = 0;
    for await (const call of calls) {
      handed += 1;
      // The getter follows every call handed on.
      expect(calls.checkpoint).toMatchObject({ emitted: handed, lastId: call.id, position: handed });
    }
    expect(checkpoints.map((c) => c.emitted)).toEqual([20, 40, 60, 80, 95]);
    expect(checkpoints.map((c) => c.lastId)).toEqual([19, 39, 59, 79, 94].map((i) => view[i]));
    for (const c of checkpoints) {
      expect(c).toMatchObject({
        version: 1,
        pageSize: PAGE,
        filters: '',
        totalAtStart: 95,
        newestId: view[0],
        deletionsDetected: 0,
      });
    }
  });

  it('the Readable emits checkpoint events and exposes the getter', async () => {
    sim = await startSimulator({ records: 50 });
    const stream = callLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: PAGE });
    const emitted: number[] = [];
    stream.on('checkpoint', (c: CallLogCheckpoint) => emitted.push(c.emitted));
    stream.resume();
    await once(stream, 'end');
    expect(emitted).toEqual([20, 40, 50]);
    expect(stream.checkpoint).toMatchObject({ emitted: 50, lastId: sim.ids()[49] });
  });
});

describe('resume', () => {
  it('with nothing changed: the union is the view exactly once, and no page handed on is fetched again', async () => {
    sim = await startSimulator({ records: 230, pageLatencyMs: 2 });
    const view = sim.ids();
    const run1 = await crashAfter(sim, 4);
    expect(run1.checkpoint).toMatchObject({ emitted: 80, lastId: view[79], position: 80 });
    const run2 = await resumeRun(sim, run1.checkpoint);
    expect([...run1.committed, ...run2.got]).toEqual(view);
    expect(run2.pages[0]).toBe(5);
    expect(Math.min(...run2.pages)).toBe(5);
    expect(run2.stats).toMatchObject({
      emittedBefore: 80,
      records: 150,
      totalAtStart: 230,
      duplicatesDropped: 0,
    });
    expect(completeness(run2.stats)).toMatchObject({ expected: 230, emitted: 230, missing: 0, proven: true });
  });

  it.each([
    [7, 'fewer than a page'],
    [PAGE, 'exactly a page'],
  ])('with %i calls arrived in between (%s): re-reads only the anchor page', async (arrived) => {
    sim = await startSimulator({ records: 230 });
    const view = sim.ids();
    const run1 = await crashAfter(sim, 3);
    const fresh = sim.insertCalls(arrived);
    const run2 = await resumeRun(sim, run1.checkpoint);
    expect([...run1.committed, ...run2.got]).toEqual(view);
    expect(run2.got.some((id) => fresh.includes(id))).toBe(false);
    // The anchor (the 60th call) now sits at offset 59 + arrived: page 4, the first page asked for.
    const anchorPage = Math.floor((59 + arrived) / PAGE) + 1;
    expect(anchorPage).toBe(4);
    expect(run2.pages[0]).toBe(anchorPage);
    expect(Math.min(...run2.pages)).toBe(anchorPage);
    expect(run2.stats.insertedSeen).toBe(0); // the arrivals sit above the anchor page
    expect(run2.stats.duplicatesDropped).toBe(arrived); // the anchor page re-read: its calls above the anchor
    expect(completeness(run2.stats)).toMatchObject({ missing: 0, emitted: 230 });
  });

  it('with more than a page arrived: jumps from the first page to the anchor page', async () => {
    sim = await startSimulator({ records: 230 });
    const view = sim.ids();
    const run1 = await crashAfter(sim, 3);
    const arrived = 2 * PAGE + 13;
    sim.insertCalls(arrived);
    const run2 = await resumeRun(sim, run1.checkpoint);
    expect([...run1.committed, ...run2.got]).toEqual(view);
    const anchorPage = Math.floor((59 + arrived) / PAGE) + 1; // 6
    // One page asked for blind (4, the page after the checkpoint), then straight to the anchor.
    expect(run2.pages.slice(0, 2)).toEqual([resumePage(run1.checkpoint), anchorPage]);
    expect(run2.pages.slice(1).every((p) => p >= anchorPage)).toBe(true);
    expect(completeness(run2.stats).missing).toBe(0);
  });

  it('with calls arriving during both runs (drift) and in between: still the view exactly once', async () => {
    sim = await startSimulator({ records: 300, drift: { insertPerPage: 3 } });
    const view = sim.ids();
    const run1 = await crashAfter(sim, 5, 4);
    sim.insertCalls(11);
    const run2 = await resumeRun(sim, run1.checkpoint, 4);
    expect([...run1.committed, ...run2.got]).toEqual(view);
    expect(completeness(run2.stats)).toMatchObject({ expected: 300, emitted: 300, missing: 0 });
  });

  it('a checkpoint of the resumed run resumes again (chained crashes)', async () => {
    sim = await startSimulator({ records: 150 });
    const view = sim.ids();
    const run1 = await crashAfter(sim, 2);
    sim.insertCalls(4);
    const checkpoints: CallLogCheckpoint[] = [];
    const part: number[] = [];
    const calls = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: PAGE,
      resume: run1.checkpoint,
      onCheckpoint: (c) => checkpoints.push(c),
    });
    for await (const call of calls) {
      part.push(call.id as number);
      if (checkpoints.length === 2) break;
    }
    const second = checkpoints[1] as CallLogCheckpoint;
    expect(second.emitted).toBe(run1.checkpoint.emitted + part.length - 1);
    sim.insertCalls(9);
    const run3 = await resumeRun(sim, second);
    expect([...run1.committed, ...part.slice(0, -1), ...run3.got]).toEqual(view);
  });
});

describe('resume validation (before any request)', () => {
  it.each([
    ['pageSize', { pageSize: 25 }, 'resume.pageSize'],
    ['filters', { filters: { callStatus: 'completed' as const } }, 'resume.filters'],
  ])('a checkpoint from another %s is refused', async (_what, change, option) => {
    sim = await startSimulator({ records: 100 });
    const run1 = await crashAfter(sim, 2);
    const requests = sim.stats.requests;
    expect(() =>
      paginateCallLogs({
        apiKey: sim?.apiKey ?? '',
        baseUrl: sim?.url,
        pageSize: PAGE,
        ...change,
        resume: run1.checkpoint,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', option }));
    expect(() =>
      callLogs({
        apiKey: sim?.apiKey ?? '',
        baseUrl: sim?.url,
        pageSize: PAGE,
        ...change,
        resume: run1.checkpoint,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', option }));
    expect(sim.stats.requests).toBe(requests);
  });

  it.each([
    ['not an object', 'x', 'resume'],
    ['wrong version', { version: 2 }, 'resume.version'],
    ['unknown field', { cursor: 1 }, 'resume.cursor'],
    ['negative emitted', { emitted: -1 }, 'resume.emitted'],
    ['emitted beyond the view', { emitted: 1000 }, 'resume.emitted'],
    ['missing lastId', { lastId: undefined }, 'resume.lastId'],
  ])('a malformed checkpoint (%s) is refused', (_what, patch, option) => {
    const good: CallLogCheckpoint = {
      version: 1,
      pageSize: PAGE,
      filters: '',
      totalAtStart: 100,
      newestId: 100,
      emitted: 40,
      lastId: 61,
      position: 40,
      shift: 0,
      deletionsDetected: 0,
    };
    const resume = typeof patch === 'string' ? patch : { ...good, ...patch };
    expect(() =>
      paginateCallLogs({
        apiKey: 'k',
        baseUrl: 'http://127.0.0.1:9/api/v1',
        pageSize: PAGE,
        resume: resume as never,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', option }));
  });
});

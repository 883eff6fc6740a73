import { generateCallLog, type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { get, getList } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('drift', () => {
  it('insertPerPage adds newer calls at the head after each page, shifting older ones down', async () => {
    sim = await startSimulator({ seed: 2, records: 100, drift: { insertPerPage: 3 } });
    const page1 = await getList(sim, '?pageno=1&pagesize=10');
    expect(page1.total_records).toBe(100);
    const page2 = await getList(sim, '?pageno=2&pagesize=10');
    expect(page2.total_records).toBe(103);
    // The 3 new calls pushed the last 3 of page 1 onto page 2.
    expect(page2.call_log_data.slice(0, 3).map((c) => c.id)).toEqual(
      page1.call_log_data.slice(7).map((c) => c.id),
    );
    expect(sim.stats.inserted).toBe(6);
    const head = sim.ids().slice(0, 6);
    expect(head.every((id) => id > (page1.call_log_data[0]?.id as number))).toBe(true);
  });

  it('inserted calls continue the generated sequence', async () => {
    sim = await startSimulator({ seed: 2, records: 100 });
    const ids = sim.insertCalls(2);
    expect(ids).toEqual([generateCallLog(2, 100).id, generateCallLog(2, 101).id]);
    const body = await getList(sim, '?pagesize=2');
    expect(body.total_records).toBe(102);
    expect(body.call_log_data).toEqual([generateCallLog(2, 101), generateCallLog(2, 100)]);
    expect(sim.stats.inserted).toBe(2);
  });

  it('maxInserted stops drift insertions', async () => {
    sim = await startSimulator({ records: 20, drift: { insertPerPage: 4, maxInserted: 5 } });
    for (let i = 0; i < 4; i++) await getList(sim, '?pagesize=5');
    expect(sim.stats.inserted).toBe(5);
    expect((await getList(sim)).total_records).toBe(25);
  });

  it('deletePerPage removes older calls and total_records falls', async () => {
    sim = await startSimulator({ seed: 8, records: 60, drift: { deletePerPage: 2 } });
    const before = sim.ids();
    const first = await getList(sim, '?pagesize=10');
    expect(first.total_records).toBe(60);
    const second = await getList(sim, '?pagesize=10&pageno=2');
    expect(second.total_records).toBe(58);
    expect(sim.stats.deleted).toBe(4);
    const after = sim.ids();
    expect(after).toHaveLength(56);
    const gone = before.filter((id) => !after.includes(id));
    expect(gone).toHaveLength(4);
    // Deleted from the older half, and the single-call endpoint no longer finds them.
    for (const id of gone) expect(before.indexOf(id)).toBeGreaterThanOrEqual(before.length / 2 - 1);
    const res = await get(sim, `/calls/logs/${gone[0]}`);
    expect(((await res.json()) as { call_log_data: unknown[] }).call_log_data).toEqual([]);
  });

  it('faulted responses do not drift', async () => {
    sim = await startSimulator({
      records: 20,
      drift: { insertPerPage: 1 },
      faults: { plan: (n) => (n === 1 ? '503' : null) },
    });
    await (await get(sim, '/calls/logs')).text();
    expect(sim.stats.inserted).toBe(0);
    await getList(sim);
    expect(sim.stats.inserted).toBe(1);
  });
});

describe('updateCalls', () => {
  it('changes older calls between runs, including what call_status matches', async () => {
    sim = await startSimulator({ seed: 6, records: 50 });
    const busy = await getList(sim, '?call_status=busy&pagesize=150');
    const target = busy.call_log_data[0];
    expect(target).toBeDefined();
    const done = sim.updateCalls([target?.id as number, 1], (log) => {
      log['call_status'] = 'completed';
      log['recording_url'] = 'https://storage.example/late.mp3';
    });
    expect(done).toEqual([target?.id]);
    const one = (await (await get(sim, `/calls/logs/${target?.id}`)).json()) as {
      call_log_data: Record<string, unknown>[];
    };
    expect(one.call_log_data[0]?.['recording_url']).toBe('https://storage.example/late.mp3');
    const busyAfter = await getList(sim, '?call_status=busy&pagesize=150');
    expect(busyAfter.total_records).toBe(busy.total_records - 1);
    const all = await getList(sim, '?pagesize=150');
    expect(all.call_log_data.find((c) => c.id === target?.id)?.['call_status']).toBe('completed');
    // A second patch sees the first one's result.
    sim.updateCalls([target?.id as number], (log) => {
      expect(log['recording_url']).toBe('https://storage.example/late.mp3');
    });
  });
});

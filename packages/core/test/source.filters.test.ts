import { callMeta, type RunningSimulator, SIM_AGENTS, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { paginateCallLogs } from '../src/paginate.js';
import { collect, ids } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const RECORDS = 300;
const metas = Array.from({ length: RECORDS }, (_, i) => callMeta(1, i));

describe('filters are sent with the API parameter names', () => {
  it('agentId → agentid', async () => {
    sim = await startSimulator({ records: RECORDS });
    const agent = SIM_AGENTS[0]!;
    const got = await collect(
      paginateCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, filters: { agentId: agent.id } }),
    );
    const expected = metas
      .filter((m) => m.agentId === agent.id)
      .map((m) => m.id)
      .reverse();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(RECORDS);
    expect(ids(got)).toEqual(expected);
    expect(got.every((r) => r['bot_name'] === agent.name)).toBe(true);
  });

  it('callStatus → call_status (no-answer with a hyphen)', async () => {
    sim = await startSimulator({ records: RECORDS });
    const got = await collect(
      paginateCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        pageSize: 40,
        filters: { callStatus: 'no-answer' },
      }),
    );
    expect(got.length).toBe(metas.filter((m) => m.status === 'no-answer').length);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((r) => r['call_status'] === 'no-answer')).toBe(true);
  });

  it('bulkCallId → bulk_call_id, combined with the others', async () => {
    sim = await startSimulator({ records: RECORDS });
    const bulk = metas.find((m) => m.bulkCallId !== null);
    expect(bulk).toBeDefined();
    const got = await collect(
      paginateCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        filters: { bulkCallId: bulk!.bulkCallId!, agentId: bulk!.agentId },
      }),
    );
    const expected = metas
      .filter((m) => m.bulkCallId === bulk!.bulkCallId && m.agentId === bulk!.agentId)
      .map((m) => m.id)
      .reverse();
    expect(ids(got)).toEqual(expected);
    expect(got.length).toBeLessThan(RECORDS);
  });
});

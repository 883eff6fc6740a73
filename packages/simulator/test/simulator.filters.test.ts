import { type RunningSimulator, SIM_AGENTS, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, getList } from './helpers.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ records: 600, seed: 5 });
});
afterAll(async () => {
  await sim.close();
});

async function all(query: string) {
  const out = [];
  for (let pageno = 1; pageno <= 10; pageno++) {
    const body = await getList(sim, `?pagesize=150&pageno=${pageno}${query}`);
    out.push(...body.call_log_data);
    if (body.call_log_data.length < 150) return { calls: out, total: body.total_records };
  }
  throw new Error('too many pages');
}

describe('filters with the API parameter names', () => {
  it('call_status partitions the history into the four values', async () => {
    let sum = 0;
    for (const status of ['completed', 'busy', 'failed', 'no-answer']) {
      const { calls, total } = await all(`&call_status=${status}`);
      expect(calls.length).toBe(total);
      expect(total).toBeGreaterThan(0);
      expect(calls.every((c) => c['call_status'] === status)).toBe(true);
      sum += total;
    }
    expect(sum).toBe(600);
  });

  it('a misspelt call_status (no_answer) matches nothing', async () => {
    const body = await getList(sim, '?call_status=no_answer');
    expect(body).toEqual({ call_log_data: [], total_records: 0 });
  });

  it('agentid selects one agent (by bot_name) and the agents partition the history', async () => {
    let sum = 0;
    for (const agent of SIM_AGENTS) {
      const { calls, total } = await all(`&agentid=${agent.id}`);
      expect(calls.length).toBe(total);
      expect(new Set(calls.map((c) => c['bot_name']))).toEqual(new Set([agent.name]));
      sum += total;
    }
    expect(sum).toBe(600);
  });

  it('bulk_call_id selects the calls whose webhook payload names that campaign', async () => {
    const { calls: everything } = await all('');
    const bulkOf = (c: Record<string, unknown>) => (c['call_request_id'] as { id: unknown }).id;
    const withPayload = everything.find((c) => {
      const hooks = (c['post_call_actions'] as { call_recording_webhook_ids: { payload: string }[] })
        .call_recording_webhook_ids;
      return hooks.some(
        (h) => (JSON.parse(h.payload) as Record<string, unknown>)['bulk_call_id'] !== undefined,
      );
    });
    expect(withPayload).toBeDefined();
    const actions = withPayload?.['post_call_actions'] as {
      call_recording_webhook_ids: { payload: string }[];
    };
    const hook = actions.call_recording_webhook_ids[0];
    const campaign = (JSON.parse(hook?.payload ?? '{}') as { bulk_call_id: number }).bulk_call_id;
    const { calls, total } = await all(`&bulk_call_id=${campaign}`);
    expect(total).toBe(calls.length);
    expect(calls.map((c) => c.id)).toContain(withPayload?.id);
    expect(total).toBeLessThan(600);
    // The campaign shows in call_request_id too (a bulk call request).
    expect(calls.every((c) => Math.floor(Number(bulkOf(c)) / 1000) === campaign)).toBe(true);
  });

  it('combines filters', async () => {
    const agent = SIM_AGENTS[1];
    const { calls } = await all(`&agentid=${agent?.id}&call_status=completed`);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c['bot_name'] === agent?.name && c['call_status'] === 'completed')).toBe(true);
  });

  it('ignores unknown query parameters (a misspelt filter returns everything)', async () => {
    const body = await getList(sim, '?agent_id=1&callStatus=busy&foo=bar');
    expect(body.total_records).toBe(600);
  });

  it('answers a non-integer agentid with a 500', async () => {
    const res = await get(sim, '/calls/logs?agentid=abc');
    expect(res.status).toBe(500);
    await res.text();
  });
});

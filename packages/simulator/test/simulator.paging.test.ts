import http from 'node:http';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { get, getList, parseCallTime } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('GET /calls/logs paging', () => {
  it('serves every call once across pages, newest first, with total_records', async () => {
    sim = await startSimulator({ records: 95, seed: 3 });
    const seen: number[] = [];
    const sizes: number[] = [];
    for (let pageno = 1; pageno <= 5; pageno++) {
      const body = await getList(sim, `?pageno=${pageno}&pagesize=20`);
      expect(body.total_records).toBe(95);
      sizes.push(body.call_log_data.length);
      seen.push(...body.call_log_data.map((c) => c.id));
    }
    expect(sizes).toEqual([20, 20, 20, 20, 15]);
    expect(new Set(seen).size).toBe(95);
    expect(seen).toEqual(sim.ids());
    const descending = [...seen].sort((a, b) => b - a);
    expect(seen).toEqual(descending);
    const empty = await getList(sim, '?pageno=6&pagesize=20');
    expect(empty).toEqual({ call_log_data: [], total_records: 95 });
  });

  it('time_of_call rises with id', async () => {
    sim = await startSimulator({ records: 150 });
    const body = await getList(sim, '?pagesize=150');
    const times = body.call_log_data.map((c) => parseCallTime(c.time_of_call));
    for (let i = 1; i < times.length; i++) expect(times[i - 1]).toBeGreaterThan(times[i] as number);
  });

  it('defaults to pageno 1 and pagesize 30, and accepts pagesize 150', async () => {
    sim = await startSimulator({ records: 200 });
    const plain = await getList(sim);
    expect(plain.call_log_data).toHaveLength(30);
    expect(plain.call_log_data[0]?.id).toBe(sim.ids()[0]);
    expect((await getList(sim, '?pagesize=150')).call_log_data).toHaveLength(150);
    expect((await getList(sim, '?pagesize=1&pageno=200')).call_log_data.map((c) => c.id)).toEqual([
      sim.ids()[199],
    ]);
  });

  it.each([
    'pageno=0',
    'pageno=-1',
    'pageno=1.5',
    'pageno=abc',
    'pageno=',
    'pagesize=0',
    'pagesize=151',
    'pagesize=2e1',
    'pagesize=%2010',
  ])('answers %s with a 500 like the real API', async (query) => {
    sim = await startSimulator({ records: 10 });
    const res = await get(sim, `/calls/logs?${query}`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(typeof body['error']).toBe('string');
    expect(typeof body['error_description']).toBe('string');
  });

  it('keeps the connection alive between requests', async () => {
    sim = await startSimulator({ records: 10 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = `${sim.url}/calls/logs?pagesize=5`;
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        http
          .get(url, { agent, headers: { authorization: `Bearer ${sim?.apiKey}` } }, (res) => {
            ports.push(res.socket.localPort as number);
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
    }
    agent.destroy();
    expect(new Set(ports).size).toBe(1);
    expect(sim.stats.requests).toBe(3);
  });
});

describe('GET /calls/logs/{id}', () => {
  it('returns the envelope with the one call, or [] for an unknown id', async () => {
    sim = await startSimulator({ records: 40, seed: 9 });
    const list = await getList(sim, '?pagesize=40');
    const target = list.call_log_data[17];
    const res = await get(sim, `/calls/logs/${target?.id}`);
    expect(res.status).toBe(200);
    const one = (await res.json()) as { call_log_data: unknown[] };
    expect(one.call_log_data).toEqual([target]);
    const missing = (await (await get(sim, '/calls/logs/999999999')).json()) as { call_log_data: unknown[] };
    expect(missing.call_log_data).toEqual([]);
  });
});

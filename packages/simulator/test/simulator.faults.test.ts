import http from 'node:http';
import { type FaultKind, type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { get, getList } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A simulator whose 1st list request gets `kind` and the rest are served normally. */
async function firstRequestGets(kind: FaultKind, extra = {}) {
  sim = await startSimulator({ records: 50, faults: { plan: (n) => (n === 1 ? kind : null), ...extra } });
  return sim;
}

/** Raw node:http GET collecting status, headers, body chunks and how it ended. */
function rawGet(s: RunningSimulator, path: string) {
  return new Promise<{
    status?: number;
    headers?: http.IncomingHttpHeaders;
    chunks: Buffer[];
    error?: Error;
  }>((resolve) => {
    const out: { status?: number; headers?: http.IncomingHttpHeaders; chunks: Buffer[]; error?: Error } = {
      chunks: [],
    };
    const req = http.get(
      `${s.url}${path}`,
      { headers: { authorization: `Bearer ${s.apiKey}` }, agent: false },
      (res) => {
        out.status = res.statusCode;
        out.headers = res.headers;
        res.on('data', (c: Buffer) => out.chunks.push(c));
        res.on('end', () => resolve(out));
        res.on('error', (error) => resolve({ ...out, error }));
        res.on('aborted', () => resolve({ ...out, error: new Error('aborted') }));
      },
    );
    req.on('error', (error) => resolve({ ...out, error }));
  });
}

describe('fault injection (deterministic plan)', () => {
  it('429 carries Retry-After and a JSON error body', async () => {
    const s = await firstRequestGets('429', { retryAfterSeconds: 3 });
    const res = await get(s, '/calls/logs');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(Object.keys((await res.json()) as object).sort()).toEqual(['error', 'error_description']);
    expect((await get(s, '/calls/logs')).status).toBe(200);
    expect(s.stats.faults).toEqual({ '429': 1 });
    expect(s.stats.faultsInjected).toBe(1);
  });

  it('Retry-After may be 0', async () => {
    const s = await firstRequestGets('429', { retryAfterSeconds: 0 });
    const res = await get(s, '/calls/logs');
    expect(res.headers.get('retry-after')).toBe('0');
    await res.text();
  });

  it.each(['500', '502', '503', '504'] as const)('%s answers with that status', async (kind) => {
    const s = await firstRequestGets(kind);
    const res = await get(s, '/calls/logs');
    expect(res.status).toBe(Number(kind));
    await res.text();
    expect(s.stats.faults[kind]).toBe(1);
  });

  it('reset destroys the connection before any response', async () => {
    const s = await firstRequestGets('reset');
    const out = await rawGet(s, '/calls/logs');
    expect(out.status).toBeUndefined();
    expect(out.error).toBeInstanceOf(Error);
    await expect(get(s, '/calls/logs').then((r) => r.status)).resolves.toBe(200);
    expect(s.stats.faults.reset).toBe(1);
  });

  it('truncate sends 200 with the full content-length and cuts the body', async () => {
    const s = await firstRequestGets('truncate');
    const out = await rawGet(s, '/calls/logs?pagesize=30');
    expect(out.status).toBe(200);
    const received = Buffer.concat(out.chunks).length;
    expect(received).toBeLessThan(Number(out.headers?.['content-length']));
    expect(out.error).toBeInstanceOf(Error);
    expect(s.stats.faults.truncate).toBe(1);
  });

  it('fetch fails to read a truncated body', async () => {
    const s = await firstRequestGets('truncate');
    const res = await get(s, '/calls/logs?pagesize=30');
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('html200 answers 200 with an HTML page', async () => {
    const s = await firstRequestGets('html200');
    const res = await get(s, '/calls/logs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<html/i);
  });

  it('error200 answers 200 with {"status":"error"}', async () => {
    const s = await firstRequestGets('error200');
    const res = await get(s, '/calls/logs');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['status']).toBe('error');
    expect(body['call_log_data']).toBeUndefined();
  });

  it('slow dribbles a complete body out in several chunks', async () => {
    const s = await firstRequestGets('slow', { slowBodyMs: 100 });
    const out = await rawGet(s, '/calls/logs?pagesize=30');
    expect(out.error).toBeUndefined();
    expect(out.chunks.length).toBeGreaterThan(1);
    const body = JSON.parse(Buffer.concat(out.chunks).toString('utf8')) as { call_log_data: unknown[] };
    expect(body.call_log_data).toHaveLength(30);
    expect(s.stats.faults.slow).toBe(1);
  });

  it('503 carries Retry-After only with retryAfterOn503 (the API documents none)', async () => {
    const plain = await firstRequestGets('503', { retryAfterSeconds: 4 });
    const without = await get(plain, '/calls/logs');
    expect(without.status).toBe(503);
    expect(without.headers.get('retry-after')).toBeNull();
    await plain.close();
    const s = await firstRequestGets('503', { retryAfterSeconds: 4, retryAfterOn503: true });
    const res = await get(s, '/calls/logs');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('4');
    expect((await get(s, '/calls/logs')).status).toBe(200);
  });

  it('stall sends no byte until stallMs has passed, then the normal page', async () => {
    const arrivals: number[] = [];
    sim = await startSimulator({
      records: 50,
      faults: {
        plan: (n) => {
          arrivals.push(performance.now());
          return n === 1 ? 'stall' : null;
        },
        stallMs: 200,
      },
    });
    const out = await rawGet(sim, '/calls/logs?pagesize=30');
    const answered = performance.now();
    expect(out.error).toBeUndefined();
    expect(out.status).toBe(200);
    const body = JSON.parse(Buffer.concat(out.chunks).toString('utf8')) as { call_log_data: unknown[] };
    expect(body.call_log_data).toHaveLength(30);
    // Lower bound only: the headers came no earlier than stallMs after the request arrived.
    expect(answered - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(200 - 5);
    expect(sim.stats.faults.stall).toBe(1);
  });

  it('short silently drops one record of a full page, keeping total_records', async () => {
    const s = await firstRequestGets('short');
    const faulty = await getList(s, '?pagesize=20');
    const good = await getList(s, '?pagesize=20');
    expect(faulty.total_records).toBe(50);
    expect(faulty.call_log_data).toHaveLength(19);
    const missing = good.call_log_data.filter((c) => !faulty.call_log_data.some((f) => f.id === c.id));
    expect(missing).toHaveLength(1);
    expect(s.ids()).toContain(missing[0]?.id);
    expect(s.stats.faults.short).toBe(1);
  });

  it('plan receives the list request counter and the pageno', async () => {
    const calls: [number, number][] = [];
    sim = await startSimulator({
      records: 10,
      faults: {
        plan: (n, pageno) => {
          calls.push([n, pageno]);
          return null;
        },
      },
    });
    await getList(sim, '?pageno=2&pagesize=3');
    await getList(sim, '?pageno=1&pagesize=3');
    expect(calls).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(sim.stats.pagesRequested).toEqual([2, 1]);
    expect(sim.stats.listRequests).toBe(2);
  });
});

describe('random faults', () => {
  it('rate 1 injects a fault drawn from kinds on every list request', async () => {
    sim = await startSimulator({ records: 10, faults: { rate: 1, kinds: ['503', '429'] } });
    const statuses = [];
    for (let i = 0; i < 12; i++) {
      const res = await get(sim, '/calls/logs');
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses.every((s) => s === 503 || s === 429)).toBe(true);
    expect(sim.stats.faultsInjected).toBe(12);
    expect((sim.stats.faults['503'] ?? 0) + (sim.stats.faults['429'] ?? 0)).toBe(12);
  });

  it('the same seed injects the same faults in the same order', async () => {
    const sequence = async () => {
      const s = await startSimulator({ seed: 4, records: 10, faults: { rate: 0.5 } });
      const out = [];
      for (let i = 0; i < 20; i++) {
        const res = await rawGet(s, '/calls/logs');
        out.push(res.status ?? 'reset');
      }
      await s.close();
      return out;
    };
    const a = await sequence();
    expect(a.some((s) => s !== 200)).toBe(true);
    expect(a.some((s) => s === 200)).toBe(true);
    expect(await sequence()).toEqual(a);
  });
});

describe('page latency', () => {
  it('close() does not wait for a delayed response and the client sees the connection end', async () => {
    sim = await startSimulator({ records: 10, pageLatencyMs: 60_000 });
    const s = sim;
    const pending = rawGet(s, '/calls/logs');
    await new Promise<void>((resolve) => {
      const check = () => (s.stats.inFlight === 1 ? resolve() : setImmediate(check));
      check();
    });
    await s.close();
    const out = await pending;
    expect(out.status).toBeUndefined();
    expect(out.error).toBeInstanceOf(Error);
  });

  it('serves the page after the delay', async () => {
    sim = await startSimulator({ records: 10, pageLatencyMs: 20 });
    expect((await getList(sim)).total_records).toBe(10);
  });
});

import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { get } from './helpers.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('auth', () => {
  it.each([
    ['no header', {}],
    ['a wrong key', { authorization: 'Bearer presented-wrong-key-123' }],
    ['no Bearer scheme', { authorization: 'right-key-xyz' }],
    ['a longer key', { authorization: 'Bearer right-key-xyzz' }],
  ])('answers %s with a 401 JSON error that does not echo the key', async (_name, headers) => {
    sim = await startSimulator({ apiKey: 'right-key-xyz', records: 5 });
    for (const path of ['/calls/logs', `/calls/logs/${sim.ids()[0]}`]) {
      const res = await get(sim, path, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const text = await res.text();
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
      expect(text).not.toContain('presented-wrong-key');
      expect(text).not.toContain('right-key');
    }
    expect(sim.stats.listRequests).toBe(0);
  });

  it('accepts the configured key', async () => {
    sim = await startSimulator({ apiKey: 'right-key-xyz', records: 5 });
    expect((await get(sim, '/calls/logs', { authorization: 'Bearer right-key-xyz' })).status).toBe(200);
  });
});

describe('unknown paths', () => {
  it.each(['/calls', '/calls/logs/abc', '/calls/logs/1/2', '/agents/x', '/../../etc'])(
    'answers %s with an HTML 404 page',
    async (path) => {
      sim = await startSimulator({ records: 5 });
      const res = await get(sim, path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const text = await res.text();
      expect(text).toMatch(/^<!DOCTYPE html>/);
      expect(() => JSON.parse(text)).toThrow();
    },
  );

  it('answers a non-GET method on the list with a 404 page', async () => {
    sim = await startSimulator({ records: 5 });
    const res = await fetch(`${sim.url}/calls/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}` },
    });
    expect(res.status).toBe(404);
    await res.text();
  });
});

import http from 'node:http';
import { startSimulator } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';

describe('close()', () => {
  it('frees the port, closes kept-alive sockets and is safe to call twice', async () => {
    const sim = await startSimulator({ records: 5 });
    const port = Number(new URL(sim.url).port);
    const agent = new http.Agent({ keepAlive: true });
    const socketClosed = new Promise<void>((resolve, reject) => {
      http
        .get(
          `${sim.url}/calls/logs`,
          { agent, headers: { authorization: `Bearer ${sim.apiKey}` } },
          (res) => {
            res.resume();
          },
        )
        .on('socket', (socket) => socket.once('close', () => resolve()))
        .on('error', reject);
    });
    await new Promise<void>((resolve) => {
      const check = () =>
        sim.stats.inFlight === 0 && sim.stats.requests === 1 ? resolve() : setImmediate(check);
      check();
    });
    await Promise.all([sim.close(), sim.close()]);
    await sim.close();
    await socketClosed;
    agent.destroy();
    const again = await startSimulator({ records: 5, port });
    expect(again.url).toBe(sim.url);
    await again.close();
    await expect(fetch(`${sim.url}/calls/logs`)).rejects.toThrow();
  });
});

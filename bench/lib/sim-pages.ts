import { startSimulator } from '@omnidim-stream/simulator';
import { request } from 'undici';

/**
 * `pages` pages of 150 calls as a client receives them: the simulator's response bodies, bytes
 * as sent (seed 1), for the benchmarks of what reading a page costs.
 */
export async function simulatorPageBodies(pages: number): Promise<Buffer[]> {
  const sim = await startSimulator({ seed: 1, records: pages * 150 });
  try {
    const bodies: Buffer[] = [];
    for (let pageno = 1; pageno <= pages; pageno++) {
      const res = await request(`${sim.url}/calls/logs?pageno=${pageno}&pagesize=150`, {
        headers: { authorization: `Bearer ${sim.apiKey}` },
      });
      bodies.push(Buffer.from(await res.body.arrayBuffer()));
    }
    return bodies;
  } finally {
    await sim.close();
  }
}

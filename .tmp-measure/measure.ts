import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@omnidim-stream/simulator';
import { exportCallLogs } from '@omnidim-stream/engine';
const records = Number(process.argv[2] ?? 3000);
const sim = await startSimulator({ records, seed: 1 });
for (const workers of process.argv.slice(3).map(Number)) {
  const dir = await mkdtemp(join(tmpdir(), 'm-'));
  const t0 = performance.now(); const c0 = process.cpuUsage();
  await exportCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, outDir: join(dir, 'lake'), workers });
  const cpu = process.cpuUsage(c0);
  console.log(`workers=${workers} wall=${((performance.now() - t0) / 1000).toFixed(2)}s cpu(process)=${((cpu.user + cpu.system) / 1e6).toFixed(2)}s`);
  await rm(dir, { recursive: true, force: true });
}
await sim.close();

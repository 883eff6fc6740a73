/**
 * Checks the CPU accounting the goal table relies on once worker threads do the work: a worker
 * thread spins for `spinMs` of wall time while the main thread only waits for its message. The
 * runner compares the process's CPU (`process.cpuUsage()`, and /proc/self/stat as a second
 * reader): had either counted the main thread alone, it would show a few ms, not ~`spinMs`.
 *
 * Params: { spinMs }.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { runAsCase } from '../lib/case.js';

interface Params {
  spinMs: number;
}

// Plain JavaScript (eval), so the worker needs no TypeScript loader.
const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const end = performance.now() + workerData;
let x = 0;
while (performance.now() < end) x += Math.sqrt(x + 1);
parentPort.postMessage(x > 0);
`;

await runAsCase<Params>(async ({ spinMs }) => {
  const start = performance.now();
  const worker = new Worker(SPIN, { eval: true, workerData: spinMs });
  await once(worker, 'message');
  await worker.terminate();
  return { wallMs: performance.now() - start, spinMs };
});
